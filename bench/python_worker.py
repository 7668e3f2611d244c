"""One Python worker process for bench/python.ts: jobservice_worker's Worker, concurrency 1, a handler
that does nothing, so what is measured is claim -> complete (claimNext) through the client. Prints "c"
per completed job; SIGTERM stops it (exit 0). Arguments: URL TOKEN WORKER_ID OPERATION."""

import sys

from jobservice_worker import Worker


def on_event(event: dict) -> None:
    if event["event"] == "completed":
        sys.stdout.write("c\n")
        sys.stdout.flush()


url, token, worker_id, operation = sys.argv[1:5]
Worker(url, [operation], lambda job, ctx: None, token=token, worker_id=worker_id, wait_seconds=20, on_event=on_event).run(stop_timeout=10)
