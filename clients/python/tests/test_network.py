"""Network trouble between worker and service: a complete whose answer is lost is retried, and the job
is completed once (the fencing token refuses the retry), never twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from jobservice_worker import JobContext, LeasedJob, Worker

from .conftest import Service, job_status, wait_until


class LossyProxy:
    """An HTTP proxy to the service that forwards the first jobComplete but drops its answer (the
    connection closes without a response), as a network failure after the request arrived would."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.completes = 0
        self.dropped = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                is_complete = b"mutation JobComplete" in body
                with proxy._lock:
                    if is_complete:
                        proxy.completes += 1
                    drop = is_complete and proxy.dropped == 0
                    if drop:
                        proxy.dropped += 1
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
                answer = httpx.post(proxy.upstream + self.path, content=body, headers=headers, timeout=60)
                if drop:
                    self.close_connection = True
                    return  # the service acted; the worker hears nothing
                self.send_response(answer.status_code)
                self.send_header("content-type", answer.headers.get("content-type", "application/json"))
                self.send_header("content-length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lossy(service: Service) -> Iterator[LossyProxy]:
    proxy = LossyProxy(service.url)
    yield proxy
    proxy.close()


def test_a_lost_complete_answer_is_retried_and_the_job_completes_once(service: Service, lossy: LossyProxy) -> None:
    client = service.client()
    job = client.submit_one("PY_LOSSY", "CHANGE")
    runs: list[str] = []

    def handle(job: LeasedJob, ctx: JobContext) -> str:
        runs.append(job["id"])
        return "done once"

    events: list[dict[str, Any]] = []
    # Every call of this worker goes through the proxy.
    worker = Worker(lossy.url, ["CHANGE"], handle, token=service.tokens["WORKER"], wait_seconds=5, on_event=events.append)
    worker.start()
    try:
        done = wait_until(job_status(client, job["id"], "COMPLETED", "FAILED"), what="the job to end")
        assert done["status"] == "COMPLETED" and done["attempts"] == 1
        wait_until(lambda: [e for e in events if e["event"] in ("leaseLost", "completed")], what="the worker's verdict")
    finally:
        worker.stop(timeout=5)
    # The first complete got through, its answer did not; the retry was refused (LEASE_LOST): one completion.
    assert (lossy.dropped, lossy.completes) == (1, 2)
    assert runs == [job["id"]]
    assert [entry["message"] for entry in done["log"]].count("done once") == 1
    assert [e["event"] for e in events if e["event"] in ("leaseLost", "completed")] == ["leaseLost"]
