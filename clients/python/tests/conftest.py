"""Fixtures: the real service (FerretDB, redis-server, a local JWKS, the built service) for every test.

The service launcher (test/harness/serviceLauncher.ts, built by scripts/test-python.sh) starts the
backends once per session; each test gets a service instance of its own (its own database and
Redis key prefix), so no test sees another's jobs, and can ask for settings such as a short lease.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from jobservice_worker import Client, Worker
from jobservice_worker._http import GraphQLTransport

REPO_ROOT = Path(__file__).resolve().parents[3]
LAUNCHER = REPO_ROOT / "dist-harness" / "test" / "harness" / "serviceLauncher.js"
WORKER_PROCESS = Path(__file__).resolve().parent / "worker_process.py"

#: Operator-side documents the tests use (listed in docs/worker-protocol.md too).
WORKER_QUERY = """query Worker($workerId: String!) {
  worker(workerId: $workerId) { workerId alive status operations disabled }
}"""
WORKER_SET_DISABLED = """mutation WorkerSetDisabled($input: WorkerSetDisabledInput!) {
  workerSetDisabled(input: $input) {
    worker { workerId disabled }
    userErrors { code message field }
  }
}"""
MAINTENANCE_SET = """mutation MaintenanceSet($input: MaintenanceSetInput!) {
  maintenanceSet(input: $input) {
    status { paused }
    userErrors { code message field }
  }
}"""


class Launcher:
    """The launcher process: requests and answers as JSON lines."""

    def __init__(self) -> None:
        if not LAUNCHER.exists():
            raise RuntimeError(f"{LAUNCHER} is missing: run scripts/test-python.sh (it builds the service and the launcher)")
        self.proc = subprocess.Popen(
            ["node", str(LAUNCHER)], cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._stdin = self.proc.stdin
        ready = json.loads(self.proc.stdout.readline() or "{}")
        if ready.get("event") != "ready":
            raise RuntimeError(f"service launcher did not start: {ready}")
        self.tokens: dict[str, str] = ready["tokens"]
        self._ids = itertools.count(1)
        self._answers: dict[int, dict[str, Any]] = {}
        self._cond = threading.Condition()
        self._spares: dict[tuple[tuple[str, str], ...], Future[dict[str, Any]]] = {}
        self._pool = ThreadPoolExecutor(max_workers=2)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            answer = json.loads(line)
            with self._cond:
                self._answers[int(answer.get("id", 0))] = answer
                self._cond.notify_all()

    def request(self, op: str, timeout: float = 60.0, **fields: Any) -> dict[str, Any]:
        request_id = next(self._ids)
        with self._cond:
            self._stdin.write(json.dumps({"id": request_id, "op": op, **fields}) + "\n")
            self._stdin.flush()
            if not self._cond.wait_for(lambda: request_id in self._answers, timeout):
                raise TimeoutError(f"service launcher did not answer {op} within {timeout} s")
            answer = self._answers.pop(request_id)
        if "error" in answer:
            raise RuntimeError(f"service launcher: {answer['error']}")
        return answer

    def start(self, env: dict[str, str]) -> dict[str, Any]:
        """A fresh service instance with this environment. One is kept starting ahead for each
        environment asked for before, so a test rarely waits for a start (about a second each)."""
        key = tuple(sorted(env.items()))
        with self._cond:
            spare = self._spares.pop(key, None)
            self._spares[key] = self._pool.submit(self.request, "start", env=env)
        return spare.result() if spare is not None else self.request("start", env=env)

    def stop_later(self, name: str) -> None:
        """Stops a service instance without waiting for it to exit (the next test need not wait)."""
        self._pool.submit(self.request, "stop", name=name)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._stdin.close()  # the launcher stops the services (spares included) and the backends
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def launcher() -> Iterator[Launcher]:
    started = Launcher()
    yield started
    started.close()


@dataclass
class Service:
    url: str
    name: str
    tokens: dict[str, str]
    launcher: Launcher
    _closers: list[Callable[[], None]] = field(default_factory=list)

    def client(self, role: str = "OPERATOR") -> Client:
        client = Client(self.url, self.tokens[role])
        self._closers.append(client.close)
        return client

    def gql(self, document: str, variables: dict[str, Any], field: str, role: str = "ADMIN") -> Any:
        transport = GraphQLTransport(self.url, self.tokens[role])
        try:
            return transport.execute(field, document, variables)
        finally:
            transport.close()

    def worker(self, operations: list[str], handler: Any, **options: Any) -> Worker:
        """A started in-process worker (stopped at the end of the test)."""
        options.setdefault("token", self.tokens["WORKER"])
        options.setdefault("wait_seconds", 5)
        worker = Worker(self.url, operations, handler, **options)
        self._closers.append(lambda: worker.stop(graceful=False, timeout=5))
        worker.start()
        return worker

    def spawn_worker(self, *args: str) -> WorkerProcess:
        """tests/worker_process.py as a process of its own (stopped at the end of the test)."""
        proc = WorkerProcess([sys.executable, str(WORKER_PROCESS), "--url", self.url, *args], self.tokens["WORKER"])
        self._closers.append(proc.kill)
        return proc

    def close(self) -> None:
        for close in reversed(self._closers):
            close()
        self.launcher.stop_later(self.name)


class WorkerProcess:
    """A Python worker process that prints one JSON line per event; its lines are collected as they come."""

    def __init__(self, argv: list[str], token: str) -> None:
        env = {**os.environ, "WORKER_TOKEN": token, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.events: list[dict[str, Any]] = []
        self.stderr: list[str] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            if not line.startswith("{"):
                continue
            with self._cond:
                self.events.append(json.loads(line))
                self._cond.notify_all()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)

    def wait_event(self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30.0) -> dict[str, Any]:
        with self._cond:
            found: list[dict[str, Any]] = []

            def seen() -> bool:
                found[:] = [e for e in self.events if predicate(e)]
                return bool(found)

            if not self._cond.wait_for(seen, timeout):
                raise AssertionError(f"no such event within {timeout} s; events: {self.events[-20:]}; stderr: {''.join(self.stderr)[-2000:]}")
            return found[0]

    def of(self, name: str) -> list[dict[str, Any]]:
        with self._cond:
            return [e for e in self.events if e.get("event") == name]

    def wait_exit(self, timeout: float = 30.0) -> int:
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def start_service(launcher: Launcher) -> Iterator[Callable[..., Service]]:
    """start_service(**env) → a fresh service instance with that environment (LEASE_SECONDS="1"...)."""
    started: list[Service] = []

    def start(**env: str) -> Service:
        answer = launcher.start(env)
        service = Service(url=answer["url"], name=answer["name"], tokens=launcher.tokens, launcher=launcher)
        started.append(service)
        return service

    yield start
    for service in started:
        service.close()


@pytest.fixture
def service(start_service: Callable[..., Service]) -> Service:
    """A fresh service instance with the default settings (and retries without backoff)."""
    return start_service(RETRY_BACKOFF_BASE_MS="0")


def wait_until(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    """Polls until predicate() returns something truthy (the positive sign a test waits for) and returns it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def job_status(client: Client, job_id: str, *statuses: str) -> Callable[[], dict[str, Any] | None]:
    """A predicate for wait_until: the job once it is in one of these statuses."""

    def check() -> dict[str, Any] | None:
        job = client.job(job_id)
        return job if job is not None and job["status"] in statuses else None

    return check
