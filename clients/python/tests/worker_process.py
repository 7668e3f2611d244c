"""A Python worker process for the tests: one JSON line per worker event on stdout.

python worker_process.py --url URL --operations ADD [--concurrency N] [--mode noop|sleep:S|wait-file:PATH|hang|until-stopped]
  [--stop-timeout S] [--progress-every S] [--worker-id ID]      (token in WORKER_TOKEN)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from typing import Any

from jobservice_worker import JobContext, LeasedJob, Worker

_print_lock = threading.Lock()


def emit(event: dict[str, Any]) -> None:
    with _print_lock:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()


def handler_for(mode: str) -> Any:
    def handle(job: LeasedJob, ctx: JobContext) -> str | None:
        emit({"event": "handling", "id": job["id"]})
        if mode == "noop":
            return "ok"
        if mode.startswith("sleep:"):
            ctx.wait(float(mode.split(":", 1)[1]))
            ctx.check()
            return "slept"
        if mode.startswith("wait-file:"):  # finishes once the test creates the file
            path = mode.split(":", 1)[1]
            while not os.path.exists(path):
                if ctx.wait(0.02):
                    ctx.check()
            return "the file came"
        if mode == "hang":  # ignores every signal from the worker: only a kill ends it
            threading.Event().wait()
        if mode == "until-stopped":
            while not ctx.wait(60):
                pass
            ctx.check()
        raise ValueError(f"unknown mode {mode}")

    return handle


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--operations", required=True)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--mode", default="noop")
    parser.add_argument("--stop-timeout", type=float, default=30.0)
    parser.add_argument("--progress-every", type=float, default=5.0)
    parser.add_argument("--wait-seconds", type=int, default=5)
    parser.add_argument("--worker-id")
    args = parser.parse_args()
    worker = Worker(
        args.url,
        args.operations.split(","),
        handler_for(args.mode),
        worker_id=args.worker_id,
        concurrency=args.concurrency,
        wait_seconds=args.wait_seconds,
        progress_every_seconds=args.progress_every,
        on_event=emit,
    )
    emit({"event": "starting", "workerId": worker.worker_id})
    worker.run(stop_timeout=args.stop_timeout)
    emit({"event": "stopped", "workerId": worker.worker_id, "stats": worker.stats})


if __name__ == "__main__":
    main()
