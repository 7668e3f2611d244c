"""The Worker in this process against the real service: a job's life, progress, cancellation, lease loss."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from jobservice_worker import JobCancelledError, JobContext, LeasedJob, LeaseLostError, NonRetryableError, Worker, WorkerAPI

from .conftest import WORKER_QUERY, WORKER_SET_DISABLED, MAINTENANCE_SET, Service, job_status, wait_until


def when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


class Events:
    """The worker's events, collected thread-safely."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def __call__(self, event: dict[str, Any]) -> None:
        with self._lock:
            self.items.append(event)

    def of(self, name: str, job_id: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self.items if e["event"] == name and (job_id is None or e.get("id") == job_id)]


def test_a_job_whole_life(service: Service) -> None:
    client = service.client()
    job = client.submit_one("PY_LIFE", "ADD", payload={"rows": 3})
    seen: list[LeasedJob] = []

    def handle(job: LeasedJob, ctx: JobContext) -> str:
        seen.append(job)
        ctx.report_progress(status="VALIDATING", progress=0.5, message="checked 3 rows")
        return "imported 3 rows"

    events = Events()
    worker = service.worker(["ADD"], handle, worker_id="py-life", on_event=events)
    done = wait_until(job_status(client, job["id"], "COMPLETED", "FAILED"), what="the job to end")

    assert done["status"] == "COMPLETED"
    assert done["attempts"] == 1
    assert done["worker"] == {"workerId": "py-life"}
    messages = [entry["message"] for entry in done["log"]]
    assert "checked 3 rows" in messages and "imported 3 rows" in messages
    assert [entry["status"] for entry in done["log"] if entry["status"]][:3] == ["QUEUED", "INITIATED", "VALIDATING"]
    assert seen[0]["parameters"]["payload"] == {"rows": 3} and seen[0]["attempts"] == 1
    assert [e["via"] for e in events.of("claimed")] == ["claim"]
    # The worker reports and counts its complete once the answer is back, which may be just after the job reads COMPLETED.
    wait_until(lambda: worker.stats["completed"] == 1, what="the worker to count its complete")
    assert events.of("completed", job["id"]) == [{"event": "completed", "id": job["id"], "status": "COMPLETED"}]

    # Registered by its heartbeats, with what it accepts.
    registered = service.gql(WORKER_QUERY, {"workerId": "py-life"}, "worker")
    assert registered["alive"] is True and registered["operations"] == ["ADD"] and registered["status"] in ("IDLE", "BUSY")
    assert worker.last_heartbeat is not None and worker.last_heartbeat["heartbeatIntervalSeconds"] > 0


def test_jobs_in_a_row_come_with_complete_and_claim_next(service: Service) -> None:
    client = service.client()
    results = client.submit([{"target": f"PY_CHAIN_{i}", "operation": "CHANGE"} for i in range(5)])
    ids = [r["job"]["id"] for r in results if r["job"]]
    events = Events()
    service.worker(["CHANGE"], lambda job, ctx: None, on_event=events)
    for job_id in ids:
        wait_until(job_status(client, job_id, "COMPLETED"), what=f"job {job_id} completed")
    # One claim; every later job arrived with the complete of the one before it.
    assert [e["via"] for e in events.of("claimed")] == ["claim"] + ["claimNext"] * 4


def test_failures_retryable_and_not(service: Service) -> None:
    client = service.client()
    flaky = client.submit_one("PY_FLAKY", "PATCH_METADATA", maxAttempts=2)
    broken = client.submit_one("PY_BROKEN", "PATCH_METADATA", maxAttempts=3)

    def handle(job: LeasedJob, ctx: JobContext) -> str:
        if job["parameters"]["target"] == "PY_BROKEN":
            raise NonRetryableError("the file is not a tar")
        if job["attempts"] == 1:
            raise RuntimeError("the share was not mounted")
        return "second time lucky"

    service.worker(["PATCH_METADATA"], handle)
    flaky_done = wait_until(job_status(client, flaky["id"], "COMPLETED", "FAILED"), what="the flaky job to end")
    broken_done = wait_until(job_status(client, broken["id"], "COMPLETED", "FAILED"), what="the broken job to end")
    assert (flaky_done["status"], flaky_done["attempts"]) == ("COMPLETED", 2)
    assert any("the share was not mounted" in e["message"] for e in flaky_done["log"])
    assert (broken_done["status"], broken_done["attempts"]) == ("FAILED", 1)
    assert broken_done["failureReason"] == "the file is not a tar"


def test_progress_is_recorded_and_extends_the_lease(service: Service) -> None:
    client = service.client()
    job = client.submit_one("PY_PROGRESS", "SET_STATUS", releaseStatus="PENDING_RELEASE")
    reported = threading.Event()
    release = threading.Event()
    answers: list[Any] = []

    def handle(job: LeasedJob, ctx: JobContext) -> None:
        answers.append(ctx.lease["expiresAt"])
        answers.append(ctx.report_progress(status="TRANSFORMING", progress=0.25, message="a quarter"))
        reported.set()
        release.wait(30)

    # No keep-alive of its own during the test: only the handler's report moves the lease.
    service.worker(["SET_STATUS"], handle, progress_every_seconds=600)
    assert reported.wait(30)
    claimed_until, answer = answers
    assert answer["userErrors"] == [] and answer["cancelRequested"] is False
    assert when(answer["leaseExpiresAt"]) > when(claimed_until)
    running = client.job(job["id"])
    assert running is not None
    assert (running["status"], running["progress"]) == ("TRANSFORMING", 0.25)
    assert when(running["leaseExpiresAt"]) == when(answer["leaseExpiresAt"])
    release.set()
    wait_until(job_status(client, job["id"], "COMPLETED"), what="the job to complete")


def test_cancellation_reaches_the_handler(service: Service) -> None:
    client = service.client()
    job = client.submit_one("PY_CANCEL", "DELETE_DRAFT")
    started = threading.Event()
    observed: dict[str, bool] = {}

    def handle(job: LeasedJob, ctx: JobContext) -> None:
        started.set()
        while not ctx.wait(30):
            pass
        observed["cancel_requested"] = ctx.cancel_requested
        observed["lease_lost"] = ctx.lease_lost
        ctx.check()  # raises JobCancelledError

    events = Events()
    # The keeper's empty reports (every 0.1 s) bring the cancel request.
    service.worker(["DELETE_DRAFT"], handle, progress_every_seconds=0.1, on_event=events)
    assert started.wait(30)
    asked = client.cancel(job["id"], reason="wrong dataset")
    assert asked["cancelRequested"] is True and asked["terminal"] is False

    done = wait_until(job_status(client, job["id"], "CANCELLED", "FAILED", "COMPLETED"), what="the job to end")
    assert done["status"] == "CANCELLED"
    assert observed == {"cancel_requested": True, "lease_lost": False}
    assert events.of("cancelRequested", job["id"])
    # The worker tells its fail once the answer is back, which may be just after the job reads CANCELLED.
    failed = wait_until(lambda: events.of("failed", job["id"]), what="the worker's failed event")
    assert failed[0]["retryable"] is False


def test_a_handler_may_raise_job_cancelled_itself(service: Service) -> None:
    client = service.client()
    job = client.submit_one("PY_SELF_CANCEL", "REMOVE", description="gone", maxAttempts=3)

    def handle(job: LeasedJob, ctx: JobContext) -> None:
        raise JobCancelledError("nothing to remove")

    service.worker(["REMOVE"], handle)
    done = wait_until(job_status(client, job["id"], "FAILED", "CANCELLED"), what="the job to end")
    assert (done["status"], done["attempts"]) == ("FAILED", 1)  # not retried


def test_lease_loss_the_job_goes_to_another_worker_and_the_first_gets_lease_lost(start_service: Callable[..., Service]) -> None:
    service = start_service(LEASE_SECONDS="2", REAPER_INTERVAL_MS="50", RETRY_BACKOFF_BASE_MS="0")
    client = service.client()
    job = client.submit_one("PY_LEASE", "ROLLBACK_REMOVE")
    first_started = threading.Event()
    release_first = threading.Event()
    first: dict[str, Any] = {}

    def slow(job: LeasedJob, ctx: JobContext) -> str:
        first_started.set()
        release_first.wait(60)
        first["lease_lost_before"] = ctx.lease_lost
        try:
            ctx.report_progress(progress=0.9)
        except LeaseLostError as error:
            first["error"] = error
        first["lease_lost_after"] = ctx.lease_lost
        first["interrupted"] = ctx.interrupted.is_set()
        return "finished late"

    first_events = Events()
    # No keep-alive: the 2-second lease runs out while the handler waits.
    first_worker = service.worker(["ROLLBACK_REMOVE"], slow, worker_id="py-first", progress_every_seconds=600, on_event=first_events)
    assert first_started.wait(30)
    # Short polls: the reaper's requeue makes a delayed job, which does not end a long poll already waiting.
    second_worker = service.worker(["ROLLBACK_REMOVE"], lambda job, ctx: "taken over", worker_id="py-second", wait_seconds=1)

    done = wait_until(job_status(client, job["id"], "COMPLETED"), what="the second worker to complete the job")
    assert done["worker"] == {"workerId": "py-second"} and done["attempts"] == 2
    wait_until(lambda: second_worker.stats["completed"] == 1, what="the second worker to count its complete")

    release_first.set()
    wait_until(lambda: first_events.of("leaseLost", job["id"]), what="the first worker's leaseLost event")
    assert isinstance(first["error"], LeaseLostError)
    assert first == {**first, "lease_lost_before": False, "lease_lost_after": True, "interrupted": True}
    assert first_worker.stats == {**first_worker.stats, "completed": 0, "failed": 0, "leaseLost": 1}
    after = client.job(job["id"])
    assert after is not None and (after["status"], after["worker"]) == ("COMPLETED", {"workerId": "py-second"})


def test_a_stale_fencing_token_is_refused_with_lease_lost(start_service: Callable[..., Service]) -> None:
    service = start_service(LEASE_SECONDS="2", REAPER_INTERVAL_MS="50", RETRY_BACKOFF_BASE_MS="0")
    client = service.client()
    job = client.submit_one("PY_STALE", "DELETE_ARCHIVE")
    api = WorkerAPI(service.url, service.tokens["WORKER"])
    try:
        old = api.claim("py-stale-1", ["DELETE_ARCHIVE"], max_jobs=1)["leases"][0]
        # The lease runs out and the reaper requeues the job (as a delayed job, which does not end a long
        # poll that began before: hence short polls) for another worker.
        new = wait_until(lambda: api.claim("py-stale-2", ["DELETE_ARCHIVE"], wait_seconds=1)["leases"], what="the requeued job")[0]
        # The new holder finishes at once (its lease is as short as the old one was).
        assert api.complete(job["id"], new["token"])["userErrors"] == []
        assert new["job"]["id"] == job["id"] and new["token"] != old["token"] and new["attempt"] == 2
        for answer in (
            api.report_progress(job["id"], old["token"], progress=0.5),
            api.complete(job["id"], old["token"]),
            api.fail(job["id"], old["token"], "late", retryable=False),
            # A second complete with the same token cannot complete the job twice.
            api.complete(job["id"], new["token"]),
        ):
            assert [e["code"] for e in answer["userErrors"]] == ["LEASE_LOST"]
        done = service.client().job(job["id"])
        assert done is not None and (done["status"], done["attempts"]) == ("COMPLETED", 2)
    finally:
        api.close()


def test_disabled_worker_and_maintenance_get_no_jobs(service: Service) -> None:
    client = service.client()
    api = WorkerAPI(service.url, service.tokens["WORKER"])
    try:
        beat = api.heartbeat("py-switch", "IDLE", operations=["BUMP", "ADD"])
        assert beat["disabled"] is False and beat["expirySeconds"] > beat["heartbeatIntervalSeconds"] > 0
        job = client.submit_one("PY_SWITCH", "ADD")

        disabled = service.gql(WORKER_SET_DISABLED, {"input": {"workerId": "py-switch", "disabled": True}}, "workerSetDisabled")
        assert disabled["worker"] == {"workerId": "py-switch", "disabled": True}
        assert api.heartbeat("py-switch", "IDLE")["disabled"] is True
        refused = api.claim("py-switch", ["ADD"])
        assert (refused["leases"], refused["reason"], refused["userErrors"]) == ([], "WORKER_DISABLED", [])
        service.gql(WORKER_SET_DISABLED, {"input": {"workerId": "py-switch", "disabled": False}}, "workerSetDisabled")

        service.gql(MAINTENANCE_SET, {"input": {"paused": True, "message": "deploy"}}, "maintenanceSet")
        assert api.heartbeat("py-switch", "IDLE")["maintenance"] is True
        refused = api.claim("py-switch", ["ADD"])
        assert (refused["leases"], refused["reason"], refused["userErrors"]) == ([], "MAINTENANCE", [])
        service.gql(MAINTENANCE_SET, {"input": {"paused": False, "message": "done"}}, "maintenanceSet")

        lease = api.claim("py-switch", ["ADD"])["leases"][0]
        assert lease["job"]["id"] == job["id"]
        assert api.complete(job["id"], lease["token"])["userErrors"] == []
    finally:
        api.close()


def test_network_errors_are_retried_with_growing_backoff(caplog: pytest.LogCaptureFixture) -> None:
    # Nothing listens on port 9 (discard) on loopback: every call fails with a network error.
    worker = Worker("http://127.0.0.1:9", ["ADD"], lambda job, ctx: None, token="unused", wait_seconds=1)
    with caplog.at_level(logging.WARNING, logger="jobservice_worker"):
        worker.start()

        def failed_claims() -> list[logging.LogRecord]:
            return [r for r in caplog.records if str(r.msg).startswith("claim failed")]

        wait_until(lambda: len(failed_claims()) >= 3, what="three failed claims")
        delays = [record.args[1] for record in failed_claims()[:3] if isinstance(record.args, tuple)]
        worker.stop(timeout=5)
    assert delays == [0.2, 0.4, 0.8]
    assert any(r.msg.startswith("heartbeat failed") for r in caplog.records)
    assert worker.last_heartbeat is None and worker.stats["claimed"] == 0


@pytest.mark.parametrize("concurrency", [0, -1])
def test_bad_options_are_refused(concurrency: int) -> None:
    with pytest.raises(ValueError):
        Worker("http://127.0.0.1:9", ["ADD"], lambda job, ctx: None, token="t", concurrency=concurrency)
    with pytest.raises(ValueError):
        Worker("http://127.0.0.1:9", [], lambda job, ctx: None, token="t")


def test_the_worker_asks_its_token_callable_before_every_call(service: Service) -> None:
    client = service.client()
    job = client.submit_one("PY_TOKEN_FN", "ADD")
    asked = 0

    def token() -> str:
        nonlocal asked
        asked += 1
        if asked == 1:
            raise RuntimeError("the identity provider is down")  # the first heartbeat fails, the worker goes on
        return service.tokens["WORKER"]

    worker = service.worker(["ADD"], lambda job, ctx: None, token=token)
    done = wait_until(job_status(client, job["id"], "COMPLETED"), what="the job to complete")
    assert done["attempts"] == 1
    # The worker counts its complete once the answer is back, which may be just after the job reads COMPLETED.
    wait_until(lambda: worker.stats["completed"] == 1, what="the worker to count its complete")
    # A failed first heartbeat, a claim and a complete at least: each asked for the token anew.
    assert asked >= 3
