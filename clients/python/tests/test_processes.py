"""Python worker processes against the real service: killed, stopped by SIGTERM, and many at once."""

from __future__ import annotations

import collections
import signal
from collections.abc import Callable
from pathlib import Path

from .conftest import WORKER_QUERY, Service, WorkerProcess, job_status, wait_until


def test_a_sigkilled_workers_job_is_run_again_by_another(start_service: Callable[..., Service]) -> None:
    service = start_service(LEASE_SECONDS="2", REAPER_INTERVAL_MS="50", RETRY_BACKOFF_BASE_MS="0")
    client = service.client()
    job = client.submit_one("PY_KILLED", "ADD")
    doomed = service.spawn_worker("--operations", "ADD", "--mode", "hang", "--worker-id", "py-doomed")
    doomed.wait_event(lambda e: e.get("event") == "handling" and e.get("id") == job["id"])
    doomed.proc.send_signal(signal.SIGKILL)
    assert doomed.wait_exit() == -signal.SIGKILL

    rescuer = service.spawn_worker("--operations", "ADD", "--mode", "noop", "--worker-id", "py-rescuer", "--wait-seconds", "1")
    rescuer.wait_event(lambda e: e.get("event") == "completed" and e.get("id") == job["id"])
    done = client.job(job["id"])
    assert done is not None
    assert (done["status"], done["attempts"], done["worker"]) == ("COMPLETED", 2, {"workerId": "py-rescuer"})
    assert any("lease expired" in entry["message"] for entry in done["log"])
    assert [e["attempt"] for e in rescuer.of("claimed")] == [2]


def test_sigterm_stops_claiming_finishes_the_running_job_and_exits_0(service: Service, tmp_path: Path) -> None:
    client = service.client()
    running = client.submit_one("PY_TERM_RUNNING", "CHANGE")
    release = tmp_path / "release"
    worker = service.spawn_worker("--operations", "CHANGE", "--mode", f"wait-file:{release}", "--worker-id", "py-term", "--stop-timeout", "30")
    worker.wait_event(lambda e: e.get("event") == "handling" and e.get("id") == running["id"])

    worker.proc.send_signal(signal.SIGTERM)
    worker.wait_event(lambda e: e.get("event") == "stopping")
    # Submitted once the worker knows it is stopping: it must not take it.
    later = client.submit_one("PY_TERM_LATER", "CHANGE")
    release.touch()  # the running job may finish now
    assert worker.wait_exit() == 0

    finished = client.job(running["id"])
    assert finished is not None and (finished["status"], finished["attempts"]) == ("COMPLETED", 1)
    untouched = client.job(later["id"])
    assert untouched is not None and (untouched["status"], untouched["attempts"]) == ("QUEUED", 0)
    names = [e["event"] for e in worker.events]
    assert names.index("stopping") < names.index("completed") < names.index("stopped")
    assert [e["id"] for e in worker.of("claimed")] == [running["id"]]
    # Its last heartbeat said it was stopping.
    assert service.gql(WORKER_QUERY, {"workerId": "py-term"}, "worker")["status"] == "STOPPING"


def test_sigterm_interrupts_jobs_still_running_at_the_deadline_and_gives_them_back(service: Service) -> None:
    client = service.client()
    job = client.submit_one("PY_TERM_DEADLINE", "CHANGE", maxAttempts=3)
    worker = service.spawn_worker("--operations", "CHANGE", "--mode", "until-stopped", "--stop-timeout", "0.5")
    worker.wait_event(lambda e: e.get("event") == "handling" and e.get("id") == job["id"])
    worker.proc.send_signal(signal.SIGTERM)
    assert worker.wait_exit() == 0
    failed = worker.of("failed")
    assert [(e["id"], e["retryable"], e["status"]) for e in failed] == [(job["id"], True, "QUEUED")]
    back = client.job(job["id"])
    assert back is not None and (back["status"], back["attempts"]) == ("QUEUED", 1)
    assert any("worker stopped before the job finished" in entry["message"] for entry in back["log"])


def test_200_jobs_through_4_worker_processes_none_lost_none_run_twice(service: Service) -> None:
    client = service.client()
    workers: list[WorkerProcess] = [
        service.spawn_worker("--operations", "PATCH_METADATA", "--mode", "noop", "--concurrency", "2", "--worker-id", f"py-many-{n}")
        for n in range(4)
    ]
    for n in range(4):  # every process registered (and long-polling) before the jobs arrive
        wait_until(lambda: service.gql(WORKER_QUERY, {"workerId": f"py-many-{n}"}, "worker"), what=f"py-many-{n} registered")
    results = client.submit([{"target": f"PY_MANY_{i:03d}", "operation": "PATCH_METADATA"} for i in range(200)])
    ids = {r["job"]["id"] for r in results if r["job"] is not None}
    assert len(ids) == 200
    filter = {"operations": ["PATCH_METADATA"], "statuses": ["COMPLETED"]}
    wait_until(lambda: client.jobs(filter, first=1)["totalCount"] == 200, timeout=60, what="200 jobs completed")
    for worker in workers:
        worker.proc.send_signal(signal.SIGTERM)
    assert [worker.wait_exit() for worker in workers] == [0, 0, 0, 0]

    handled = collections.Counter(e["id"] for w in workers for e in w.of("handling"))
    completed = collections.Counter(e["id"] for w in workers for e in w.of("completed"))
    assert set(handled) == ids and set(completed) == ids
    assert max(handled.values()) == 1 and max(completed.values()) == 1
    assert all(w.of("claimed") for w in workers), "every process took part"
    jobs = list(client.iter_jobs({"operations": ["PATCH_METADATA"]}))
    assert len(jobs) == 200
    assert {(j["status"], j["attempts"]) for j in jobs} == {("COMPLETED", 1)}
