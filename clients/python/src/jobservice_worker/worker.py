"""A job worker: ``concurrency`` jobs in threads, a heartbeat, lease keep-alive, cancellation, a bounded stop.

It follows docs/worker-protocol.md as the TypeScript client (src/worker-client) does.

How jobs arrive (each slot holds one lease at a time):
- One claim loop (an asyncio loop in its own thread, so stop() can cut a long poll short) asks for as
  many jobs as slots are free (jobClaim maxJobs, at most 100), as a long poll (wait_seconds) that ends
  as soon as one is claimable; while every slot is taken it waits for one to free.
- A slot thread runs its lease, then completes or fails it with claimNext unless the worker is
  stopping: the next job comes back in the same round trip and the slot runs it. A slot is freed only
  when a finishing call brought no next lease; the claim loop then asks again.
- One keeper thread sends an empty progress report for every job whose handler has not reported for
  ``progress_every_seconds``: that extends the lease and brings word of a cancel request.

Failure modes, and what the service sees:
- Handler raises: jobFail, retryable unless it raised NonRetryableError (JobCancelledError: not
  retryable, recorded as CANCELLED when an operator asked).
- Operator cancels: the next progress report says so, ``ctx.cancel_requested`` turns true and
  ``ctx.interrupted`` is set; the job is failed without a retry (the service records CANCELLED).
- Lease lost (expired, or the job went elsewhere): ``ctx.lease_lost``, ``ctx.interrupted``; the worker
  never touches the job again.
- Network trouble: claims back off 200 ms doubling to 5 s; complete/fail are retried a few times (only
  the first try asks for a next job), then left to the lease expiry, which requeues the job.
- Process killed: heartbeats stop and leases expire; the service requeues the jobs.
- stop(): claiming stops at once (a pending long poll is cancelled), finishing jobs no longer ask for a
  next one, running handlers get ``timeout`` seconds to finish; then they are interrupted
  (``ctx.stopping``) and failed as retryable, and a last STOPPING heartbeat is sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import socket
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any

import httpx

from ._http import TokenSource
from ._run import BACKOFF_MAX_SECONDS, Handler, JobRun, RunDeps, next_backoff
from .api import WorkerAPI
from .errors import JobServiceError
from .types import ClaimNext, HeartbeatResult, JobLease

#: Most jobs one jobClaim may take (the service's limit).
MAX_CLAIM = 100
#: After stop()'s timeout, how long interrupted handlers get to return before stop() gives up on them.
ABORT_GRACE_SECONDS = 5.0

_logger = logging.getLogger("jobservice_worker")


def default_worker_id(hostname: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.:-]", "-", f"{hostname}-{os.getpid()}")[:128]


class Worker:
    """Runs jobs of the given operations with ``handler(job, ctx)`` until stopped.

    ``run()`` is the usual entry point: it starts, stops gracefully on SIGTERM or SIGINT (a second
    signal interrupts running handlers) and returns once stopped. ``start()``/``stop()`` are for
    embedding, ``run_once()`` for tests and scripts.
    """

    def __init__(
        self,
        url: str,
        operations: Sequence[str],
        handler: Handler,
        *,
        token: TokenSource | None = None,
        worker_id: str | None = None,
        concurrency: int = 1,
        wait_seconds: int = 20,
        heartbeat_seconds: float | None = None,
        progress_every_seconds: float = 5.0,
        hostname: str | None = None,
        version: str | None = None,
        timeout: float = 10.0,
        logger: logging.Logger | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        """
        :param url: base URL of the service, e.g. http://127.0.0.1:4000 (``/graphql`` is appended).
        :param operations: operations this worker accepts (at least one).
        :param handler: runs one job; returns None or a last log line; raises to fail it.
        :param token: a WORKER token, or a callable asked before every call; default: the
            JOBSERVICE_TOKEN or WORKER_TOKEN environment variable.
        :param worker_id: this worker's id; default ``<hostname>-<pid>``.
        :param concurrency: jobs run at once, each in its own thread. Default 1.
        :param wait_seconds: long-poll wait of a claim while a slot is free, 0..30. Default 20.
        :param heartbeat_seconds: heartbeat period; default what the service says (10 s until it answers).
        :param progress_every_seconds: an empty progress report (lease keep-alive, cancel check) after
            this long without one. Default 5.
        :param hostname: reported host name; default the OS's.
        :param version: reported software version; default none.
        :param timeout: seconds allowed for one call, beyond a long poll's wait. Default 10.
        :param logger: where warnings go; default the ``jobservice_worker`` logger.
        :param on_event: called with every job event (claimed, cancelRequested, completed, failed,
            leaseLost, refused, stopping), from the thread that saw it.
        """
        if not operations:
            raise ValueError("Worker needs at least one operation")
        if concurrency < 1:
            raise ValueError("Worker concurrency must be a positive integer")
        self.operations = list(operations)
        self.handler = handler
        self.concurrency = concurrency
        self.wait_seconds = wait_seconds
        self.progress_every_seconds = progress_every_seconds
        self.hostname = hostname or socket.gethostname()
        self.worker_id = worker_id or default_worker_id(self.hostname)
        self.version = version
        self.logger = logger or _logger
        self.api = WorkerAPI(url, token, timeout=timeout)
        #: claimed counts every lease, claimedNext those that came with a complete or fail (claimNext).
        self.stats = {"claimed": 0, "claimedNext": 0, "completed": 0, "failed": 0, "leaseLost": 0}
        #: The service's answer to the last heartbeat (disabled, maintenance, queuePaused...).
        self.last_heartbeat: HeartbeatResult | None = None
        self._on_event = on_event
        self._fixed_heartbeat = heartbeat_seconds
        self._heartbeat_seconds = heartbeat_seconds or 10.0
        self._claim_next: ClaimNext = {"workerId": self.worker_id, "operations": self.operations}
        self._cond = threading.Condition()
        self._running: dict[str, JobRun] = {}
        self._slots_in_use = 0
        self._drained = False
        self._forced = False
        self._registered = False
        self._started = False
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        self._stop_started = False
        self._background_done = threading.Event()
        self._threads: list[threading.Thread] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._claim_task: asyncio.Task[None] | None = None
        self._slot_freed: asyncio.Event | None = None

    # -- public ------------------------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def start(self) -> None:
        """Registers with a first heartbeat (a failure is logged) and starts the loops. Returns at once."""
        if self._started or self.stopping:
            return
        self._started = True
        self._heartbeat_safely()
        for name, target in (("heartbeat", self._heartbeat_main), ("keeper", self._keeper_main), ("claim", self._claim_main)):
            thread = threading.Thread(target=target, name=f"{self.worker_id}-{name}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def stop(self, *, graceful: bool = True, timeout: float = 30.0) -> None:
        """Stops claiming and waits up to ``timeout`` s for running jobs; then interrupts them. Safe to call twice."""
        if not graceful:
            self._abort_running()
        with self._stop_lock:
            first = not self._stop_started
            self._stop_started = True
        if not first:
            self._stopped.wait()
            return
        try:
            self._shutdown(timeout)
        finally:
            self._stopped.set()

    def run(self, *, stop_timeout: float = 30.0, handle_signals: bool = True) -> None:
        """Starts and blocks until stopped: by SIGTERM/SIGINT (when called in the main thread) or stop()."""
        requested = threading.Event()
        signals_seen = 0

        def on_signal(signum: int, _frame: FrameType | None) -> None:
            nonlocal signals_seen
            signals_seen += 1
            self._emit({"event": "stopping", "signal": signal.Signals(signum).name, "graceful": signals_seen == 1})
            if signals_seen == 1:
                requested.set()
            else:
                self._abort_running()

        previous: dict[signal.Signals, Any] = {}
        if handle_signals and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, on_signal)
        try:
            self.start()
            while not requested.wait(0.5) and not self.stopping:
                pass
            self.stop(timeout=stop_timeout)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def run_once(self) -> str | None:
        """Claims at most one job without waiting and runs it to the end: its id, or None. Errors are raised."""
        if self.stopping:
            return None
        if not self._registered:
            self._send_heartbeat()
        result = self.api.claim(self.worker_id, self.operations, wait_seconds=0, max_jobs=1)
        if not result["leases"]:
            return None
        lease = result["leases"][0]
        self._run_lease(lease, via="claim", batch=1, chain=False)
        return lease["job"]["id"]

    def close(self) -> None:
        """Stops (gracefully) if started, then closes the connection pool. Safe to call twice."""
        if self._started:
            self.stop()
        self.api.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def count(self, name: str) -> None:
        with self._cond:
            self.stats[name] += 1

    # -- stopping ----------------------------------------------------------------------------------

    def _shutdown(self, timeout: float) -> None:
        self._stopping.set()
        self._cancel_claim()
        with self._cond:
            self._cond.notify_all()
        # Tell the service at once that this worker is draining, not idle.
        if self._registered:
            self._heartbeat_safely()
        with self._cond:
            drained = self._cond.wait_for(lambda: self._slots_in_use == 0, timeout)
            self._drained = drained
        if not drained:
            self.logger.warning("stop timed out after %s s; interrupting running jobs", timeout)
            self._abort_running()
            with self._cond:
                if not self._cond.wait_for(lambda: self._slots_in_use == 0, ABORT_GRACE_SECONDS):
                    self.logger.error("handlers ignored the stop; their leases will expire")
                self._drained = True
        self._background_done.set()
        for thread in self._threads:
            thread.join(timeout=2.0)
        if self._registered:
            self._heartbeat_safely()

    def _abort_running(self) -> None:
        with self._cond:
            self._forced = True
            runs = list(self._running.values())
        for run in runs:
            run.abort()

    def _cancel_claim(self) -> None:
        loop, task = self._loop, self._claim_task
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(task.cancel)

    # -- heartbeat and keep-alive ------------------------------------------------------------------

    def _send_heartbeat(self) -> None:
        with self._cond:
            runs = list(self._running.values())
        current = runs[0] if runs else None
        result = self.api.heartbeat(
            self.worker_id,
            "STOPPING" if self.stopping else "BUSY" if current else "IDLE",
            hostname=self.hostname,
            version=self.version,
            operations=self.operations,
            current_job_id=current.id if current else None,
            progress=current.progress if current else None,
            info={"runningJobIds": [run.id for run in runs], "concurrency": self.concurrency},
        )
        self._registered = True
        self.last_heartbeat = result
        if self._fixed_heartbeat is None and result["heartbeatIntervalSeconds"] > 0:
            self._heartbeat_seconds = float(result["heartbeatIntervalSeconds"])
        if result["userErrors"]:
            self.logger.warning("heartbeat refused: %s", result["userErrors"])

    def _heartbeat_safely(self) -> None:
        try:
            self._send_heartbeat()
        except Exception as error:  # JobServiceError, or a malformed answer: the next beat may do
            self.logger.warning("heartbeat failed: %s", error)

    def _heartbeat_main(self) -> None:
        while not self._background_done.wait(self._heartbeat_seconds):
            self._heartbeat_safely()

    def _keeper_main(self) -> None:
        every = self.progress_every_seconds
        tick = max(0.02, min(every / 4, 1.0))
        while not self._background_done.wait(tick):
            now = time.monotonic()
            with self._cond:
                runs = list(self._running.values())
            for run in runs:
                if run.keepalive_due(now, every):
                    try:
                        run.keepalive()
                    except Exception:  # a bug or a malformed answer must not end every job's keep-alive
                        self.logger.exception("lease keep-alive of job %s failed", run.id)

    # -- claiming ----------------------------------------------------------------------------------

    def _claim_main(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            self._slot_freed = asyncio.Event()
            self._claim_task = loop.create_task(self._claim_loop())
            self._loop = loop
            if self.stopping:  # stop() came before the task existed
                self._claim_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(self._claim_task)
        finally:
            self._loop = None
            loop.close()

    def _notify_slot_freed(self) -> None:
        loop, freed = self._loop, self._slot_freed
        if loop is not None and freed is not None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(freed.set)

    def _free_slots(self) -> int:
        with self._cond:
            return self.concurrency - self._slots_in_use

    async def _claim_loop(self) -> None:
        assert self._slot_freed is not None
        freed = self._slot_freed
        # With no long poll, an EMPTY answer must not turn into a busy loop either.
        idle_pause = max(1, min(self.wait_seconds, 2))
        backoff = 0.0
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=1)) as http:
            while not self.stopping:
                if self._free_slots() <= 0:
                    freed.clear()
                    if self._free_slots() <= 0:
                        await freed.wait()
                    continue
                free = self._free_slots()
                try:
                    result = await self.api.claim_async(
                        http, self.worker_id, self.operations, wait_seconds=self.wait_seconds, max_jobs=min(free, MAX_CLAIM)
                    )
                except Exception as error:  # JobServiceError, or a malformed answer: the loop must go on
                    if self.stopping:
                        break
                    backoff = next_backoff(backoff)
                    self.logger.warning("claim failed (%s); retrying in %.1f s", error, backoff)
                    await asyncio.sleep(backoff)
                    continue
                backoff = 0.0
                # Leases are this worker's once handed out, also when stop() began meanwhile: they are run.
                for lease in result["leases"]:
                    self._start_slot(lease, len(result["leases"]))
                if result["leases"]:
                    continue
                if result["userErrors"]:
                    # INVALID_PARAMETERS will not fix itself: say so loudly, slowly.
                    self.logger.error("claim refused: %s", result["userErrors"])
                    await asyncio.sleep(BACKOFF_MAX_SECONDS)
                elif result["reason"] != "EMPTY" or self.wait_seconds == 0:
                    await asyncio.sleep(idle_pause)

    def _start_slot(self, lease: JobLease, batch: int) -> None:
        """Takes a slot for a lease and those that follow it (claimNext); freed when a finish brings none."""
        with self._cond:
            late = self._drained
            if not late:
                self._slots_in_use += 1
        if late:
            # stop() had finished before this answer came: give the job back at once rather than let it
            # wait for its lease to expire.
            try:
                self.api.fail(lease["job"]["id"], lease["token"], "worker stopped before the job started", retryable=True)
            except JobServiceError as error:
                self.logger.warning("could not give back job %s: %s", lease["job"]["id"], error)
            return
        thread = threading.Thread(target=self._slot_main, args=(lease, batch), name=f"{self.worker_id}-job", daemon=True)
        thread.start()

    def _slot_main(self, first: JobLease, batch: int) -> None:
        try:
            lease: JobLease | None = self._run_lease(first, via="claim", batch=batch, chain=True)
            while lease is not None:
                lease = self._run_lease(lease, via="claimNext", batch=1, chain=True)
        except Exception:  # JobRun.execute never raises; this is a bug, not a job's failure
            self.logger.exception("job slot crashed")
        finally:
            with self._cond:
                self._slots_in_use -= 1
                self._cond.notify_all()
            self._notify_slot_freed()

    def _run_lease(self, lease: JobLease, *, via: str, batch: int, chain: bool) -> JobLease | None:
        """Runs one lease to its end; returns the next lease its finishing call brought (chain: it asked)."""
        deps = RunDeps(
            api=self.api,
            handler=self.handler,
            logger=self.logger,
            stats=self,
            emit=self._emit,
            # Asked once the handler is done: the slot it frees is taken by the next job, unless stopping.
            claim_next=lambda: self._claim_next if chain and not self.stopping else None,
        )
        run = JobRun(lease, deps)
        with self._cond:
            self._running[run.id] = run
            forced = self._forced
        self.count("claimed")
        if via == "claimNext":
            self.count("claimedNext")
        self._emit({"event": "claimed", "id": run.id, "token": lease["token"], "attempt": lease["attempt"],
                    "operation": lease["job"]["operation"], "via": via, "batch": batch})  # fmt: skip
        if forced:
            run.abort()
        try:
            return run.execute()
        finally:
            with self._cond:
                self._running.pop(run.id, None)

    def _emit(self, event: dict[str, Any]) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:
            self.logger.exception("on_event listener raised on %s", event.get("event"))
