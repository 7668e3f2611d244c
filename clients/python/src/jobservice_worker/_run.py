"""One leased job from claim to its last word (the TypeScript client's jobRun.ts, in threads).

Runs the handler, keeps the lease alive (the worker's keeper thread calls ``keepalive_due``), turns a
cancel request or a lost lease into the context's flags, then reports complete or fail with the
fencing token, or nothing when the lease is gone: whoever holds the new lease finishes the job. The
complete or fail call may ask for the worker's next job (claimNext); the lease it brings back is the
run's result.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .api import WorkerAPI
from .errors import JobCancelledError, JobServiceError, LeaseLostError, NonRetryableError, WorkerStoppingError
from .types import ClaimNext, CompleteResult, JobLease, LeasedJob, ProgressResult

#: Tries of a complete or fail before the job is left to its lease's expiry.
SETTLE_ATTEMPTS = 5
BACKOFF_MIN_SECONDS = 0.2
BACKOFF_MAX_SECONDS = 5.0


def next_backoff(seconds: float) -> float:
    """200 ms doubling to 5 s."""
    return min(max(seconds * 2, BACKOFF_MIN_SECONDS), BACKOFF_MAX_SECONDS)


class JobContext:
    """What a handler gets with its job: progress reports, and word of cancellation, lease loss and stop.

    ``interrupted`` is set when the handler should stop: an operator cancelled the job
    (``cancel_requested``), the lease is lost (``lease_lost``), or the worker is stopping and no
    longer waits (``stopping``). ``check()`` raises the matching exception; ``wait(seconds)`` sleeps
    unless interrupted. Cancellation arrives with a progress report: the worker sends one every
    ``progress_every_seconds`` without one from the handler.
    """

    def __init__(self, run: JobRun) -> None:
        self._run = run
        self.lease: JobLease = run.lease
        self.job: LeasedJob = run.lease["job"]
        self.interrupted = threading.Event()

    @property
    def cancel_requested(self) -> bool:
        return self._run.cancelled

    @property
    def lease_lost(self) -> bool:
        return self._run.lease_lost

    @property
    def stopping(self) -> bool:
        return self._run.forced_stop

    def report_progress(self, *, status: str | None = None, progress: float | None = None, message: str | None = None) -> ProgressResult:
        """Reports a stage (forward only), a fraction 0..1 and/or a log line; extends the lease.

        Raises LeaseLostError when the lease is gone (the job is no longer this worker's).
        """
        return self._run.report(status=status, progress=progress, message=message)

    def wait(self, seconds: float) -> bool:
        """Sleeps up to ``seconds``; True (early) when interrupted."""
        return self.interrupted.wait(seconds)

    def check(self) -> None:
        """Raises LeaseLostError, JobCancelledError or WorkerStoppingError when the handler should stop."""
        if self._run.lease_lost:
            raise LeaseLostError(self.job["id"])
        if self._run.cancelled:
            raise JobCancelledError("cancelled")
        if self._run.forced_stop:
            raise WorkerStoppingError("worker stopping")


#: A handler: returns None or a last line for the job's log; raises to fail the job.
Handler = Callable[[LeasedJob, JobContext], str | None]


class Stats(Protocol):
    def count(self, name: str) -> None: ...


@dataclass
class RunDeps:
    api: WorkerAPI
    handler: Handler
    logger: logging.Logger
    stats: Stats
    emit: Callable[[dict[str, Any]], None]
    #: Asked once the handler is done: what to claim in the finishing call, or None (stopping, run_once).
    claim_next: Callable[[], ClaimNext | None]


class JobRun:
    def __init__(self, lease: JobLease, deps: RunDeps) -> None:
        self.lease = lease
        self.id: str = lease["job"]["id"]
        self.deps = deps
        self.progress: float | None = None
        self.cancelled = False
        self.lease_lost = False
        self.forced_stop = False
        self.active = False
        self.last_report = time.monotonic()
        self.ctx = JobContext(self)
        self._lock = threading.Lock()

    def abort(self) -> None:
        """The worker stops and no longer waits for this handler."""
        self.forced_stop = True
        self.ctx.interrupted.set()

    def execute(self) -> JobLease | None:
        """Never raises: every failure ends as a report to the service or a log line.

        Returns the next lease when the finishing call asked for one and got it (the caller must run it).
        """
        self.active = True
        self.last_report = time.monotonic()
        error: BaseException | None = None
        message: str | None = None
        try:
            result = self.deps.handler(self.lease["job"], self.ctx)
            message = result if isinstance(result, str) else None
        except Exception as exc:  # a handler's failure is the job's, not the worker's
            error = exc
        finally:
            self.active = False
        return self._finish(error, message)

    def keepalive_due(self, now: float, every: float) -> bool:
        return self.active and not self.lease_lost and now - self.last_report >= every

    def report(self, *, status: str | None = None, progress: float | None = None, message: str | None = None) -> ProgressResult:
        if self.lease_lost:
            raise LeaseLostError(self.id)
        # A report of the handler's own is a keep-alive too: restart the countdown from it.
        self.last_report = time.monotonic()
        result = self.deps.api.report_progress(self.id, self.lease["token"], status=status, progress=progress, message=message)
        self.last_report = time.monotonic()
        if any(e["code"] == "LEASE_LOST" for e in result["userErrors"]):
            self.lease_lost = True
            self.ctx.interrupted.set()
            raise LeaseLostError(self.id)
        if progress is not None:
            self.progress = progress
        with self._lock:
            newly_cancelled = result["cancelRequested"] and not self.cancelled
            if newly_cancelled:
                self.cancelled = True
        if newly_cancelled:
            self.deps.emit({"event": "cancelRequested", "id": self.id})
            self.ctx.interrupted.set()
        return result

    def keepalive(self) -> None:
        """An empty progress report, from the worker's keeper thread."""
        try:
            self.report()
        except LeaseLostError:
            pass
        except JobServiceError as error:
            self.deps.logger.warning("lease keep-alive of job %s failed: %s", self.id, error)

    def _finish(self, error: BaseException | None, message: str | None) -> JobLease | None:
        api = self.deps.api
        token = self.lease["token"]
        if self.lease_lost or isinstance(error, LeaseLostError):
            self.lease_lost = True
            self._lost_lease()
            return None
        claim_next = self.deps.claim_next()
        # A handler that finished its work despite a cancel request reports the truth: completed.
        if error is None:
            accepted, next_lease = self._settle("complete", claim_next, lambda ask: api.complete(self.id, token, message=message, claim_next=ask))
            if accepted is not None:
                self.deps.stats.count("completed")
                self.deps.emit({"event": "completed", "id": self.id, "status": "COMPLETED"})
            return next_lease
        if self.cancelled or isinstance(error, JobCancelledError):
            reason, retryable = "cancelled", False
        elif self.forced_stop:
            reason, retryable = "worker stopped before the job finished", True
        else:
            # The service refuses an empty reason; `raise Exception()` must still fail the job.
            reason = str(error).strip() or f"the handler failed ({type(error).__name__})"
            retryable = not isinstance(error, NonRetryableError)
        accepted, next_lease = self._settle("fail", claim_next, lambda ask: api.fail(self.id, token, reason, retryable=retryable, claim_next=ask))
        if accepted is not None:
            self.deps.stats.count("failed")
            retry_at = accepted.get("retryAt")
            status = "QUEUED" if retry_at else "CANCELLED" if self.cancelled else None
            self.deps.emit({"event": "failed", "id": self.id, "reason": reason, "retryable": retryable, "status": status, "retryAt": retry_at})
        return next_lease

    def _settle(
        self, call: str, claim_next: ClaimNext | None, send: Callable[[ClaimNext | None], CompleteResult]
    ) -> tuple[CompleteResult | None, JobLease | None]:
        """complete/fail with a few retries; (the answer when accepted, the next lease either way).

        Only the first try asks for the next job: if its answer was lost, the service may have handed
        one out already (it waits for its lease to expire); asking on every retry could strand one per
        retry. The fencing token makes a repeated finish harmless: a second complete of the same lease
        is refused with LEASE_LOST, so a job is never completed twice.
        """
        backoff = 0.0
        for attempt in range(1, SETTLE_ATTEMPTS + 1):
            try:
                result = send(claim_next if attempt == 1 else None)
            except JobServiceError as error:
                if attempt >= SETTLE_ATTEMPTS or not error.transient:
                    self.deps.logger.error("%s of job %s failed (%s); the lease will expire and the job be requeued", call, self.id, error)
                    return None, None
                backoff = next_backoff(backoff)
                time.sleep(backoff)  # not cut short by stop: the result is worth reporting
                continue
            next_lease = result.get("next")
            # After a retry this may also mean the first try got through; either way the job is not ours now.
            if any(e["code"] == "LEASE_LOST" for e in result["userErrors"]):
                self.lease_lost = True
                self._lost_lease()
                return None, next_lease
            if result["userErrors"]:
                self.deps.logger.error("%s of job %s refused: %s", call, self.id, result["userErrors"])
                self.deps.emit({"event": "refused", "id": self.id, "call": call, "userErrors": result["userErrors"]})
                return None, next_lease
            return result, next_lease
        return None, None

    def _lost_lease(self) -> None:
        self.deps.stats.count("leaseLost")
        self.deps.logger.warning("lease lost on job %s; leaving it to its new holder", self.id)
        self.deps.emit({"event": "leaseLost", "id": self.id})
