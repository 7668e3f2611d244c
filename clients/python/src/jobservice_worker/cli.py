"""``python -m jobservice_worker --url URL --operations ADD --concurrency 2 -- CMD [ARG...]``

Runs CMD once per job with the job as JSON on stdin, and maps its exit code: 0 completes the job, a
code given with --no-retry-exit-code (default 2) fails it without a retry, any other code (or death
by a signal) fails it as retryable. A single CMD argument is run by /bin/sh -c; several are run as
they are. While it runs, every stdout line that is a JSON object with ``status``, ``progress`` or
``message`` is sent as a progress report; the last other stdout line becomes the completion
message, the end of stderr the failure reason. The command gets JOB_ID, JOB_OPERATION, JOB_TARGET
and JOB_ATTEMPT in its environment; on cancellation, lease loss or a forced stop it gets SIGTERM
(SIGKILL 5 s later).

The worker prints one JSON line per event on stdout and logs to stderr. SIGTERM or SIGINT stops it
gracefully (no new jobs; running ones get --stop-timeout seconds), a second signal interrupts them;
it then exits 0. Token: --token, or JOBSERVICE_TOKEN / WORKER_TOKEN.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Any

from . import __version__
from ._run import JobContext
from .errors import NonRetryableError
from .types import LeasedJob
from .worker import Worker

TERM_GRACE_SECONDS = 5.0
STDERR_TAIL_CHARS = 2000


class CommandFailed(Exception):
    """The command ended with a non-zero exit code or a signal."""


def _parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m jobservice_worker",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Exit codes: 0 after a stop by SIGTERM/SIGINT, 1 on a fatal error, 2 on bad arguments.",
    )
    parser.add_argument("--url", required=True, help="base URL of the service, e.g. http://127.0.0.1:4000")
    parser.add_argument("--token", help="WORKER token (default: JOBSERVICE_TOKEN or WORKER_TOKEN)")
    parser.add_argument("--operations", required=True, help="comma-separated operations, e.g. ADD,CHANGE")
    parser.add_argument("--worker-id", help="this worker's id (default <hostname>-<pid>)")
    parser.add_argument("--concurrency", type=int, default=1, help="jobs run at once (default 1)")
    parser.add_argument("--wait-seconds", type=int, default=20, help="long-poll wait of a claim, 0..30 (default 20)")
    parser.add_argument("--progress-every", type=float, default=5.0, help="lease keep-alive period in seconds (default 5)")
    parser.add_argument("--stop-timeout", type=float, default=30.0, help="seconds running jobs get after SIGTERM (default 30)")
    parser.add_argument(
        "--no-retry-exit-code", type=int, action="append", dest="no_retry", metavar="CODE",
        help="an exit code that fails the job without a retry (repeatable; default 2)",
    )  # fmt: skip
    parser.add_argument("--log-level", default="WARNING", help="stderr log level (default WARNING)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- CMD [ARG...]")
    args = parser.parse_args(argv)
    command = list(args.command)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        parser.error("a command is required after --")
    args.command = command
    args.operations = [op.strip() for op in args.operations.split(",") if op.strip()]
    if not args.operations:
        parser.error("--operations needs at least one operation")
    if args.concurrency < 1:
        parser.error("--concurrency must be at least 1")
    if args.no_retry is None:
        args.no_retry = [2]
    return args


_print_lock = threading.Lock()


def _print(event: dict[str, Any]) -> None:
    """One JSON line per event; job threads print too, so a line is written whole under a lock."""
    line = json.dumps(event) + "\n"
    with _print_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


class CommandHandler:
    """Runs the command for one job (see the module's doc)."""

    def __init__(self, command: list[str], no_retry: Sequence[int]) -> None:
        self.command = command
        self.no_retry = set(no_retry)

    def __call__(self, job: LeasedJob, ctx: JobContext) -> str | None:
        env = dict(os.environ)
        env.update(JOB_ID=job["id"], JOB_OPERATION=job["operation"], JOB_TARGET=job["parameters"]["target"], JOB_ATTEMPT=str(ctx.lease["attempt"]))
        shell = len(self.command) == 1
        proc = subprocess.Popen(
            self.command[0] if shell else self.command,
            shell=shell,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        stderr_tail: collections.deque[str] = collections.deque(maxlen=50)
        stderr_reader = threading.Thread(target=lambda: stderr_tail.extend(proc.stderr or []), daemon=True)
        stderr_reader.start()
        done = threading.Event()
        watcher = threading.Thread(target=self._watch, args=(proc, ctx, done), daemon=True)
        watcher.start()
        try:
            try:
                proc.stdin.write(json.dumps(job))
                proc.stdin.close()
            except BrokenPipeError:
                pass  # the command does not read its input
            last_line: str | None = None
            for line in proc.stdout:
                text = line.strip()
                update = _progress_update(text)
                if update is not None:
                    ctx.report_progress(**update)
                elif text:
                    last_line = text
            code = proc.wait()
        finally:
            done.set()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        stderr_reader.join(timeout=1.0)
        ctx.check()  # cancelled, lease lost or stopping: the exit code is not the job's outcome
        if code == 0:
            return last_line[:500] if last_line else None
        reason = f"command exited with {code}" if code > 0 else f"command killed by signal {-code}"
        tail = "".join(stderr_tail).strip()[-STDERR_TAIL_CHARS:]
        if tail:
            reason = f"{reason}: {tail}"
        if code in self.no_retry:
            raise NonRetryableError(reason)
        raise CommandFailed(reason)

    @staticmethod
    def _watch(proc: subprocess.Popen[str], ctx: JobContext, done: threading.Event) -> None:
        while not done.is_set():
            if ctx.interrupted.wait(0.1):
                proc.terminate()
                try:
                    proc.wait(TERM_GRACE_SECONDS)
                except subprocess.TimeoutExpired:
                    proc.kill()
                return


def _progress_update(text: str) -> dict[str, Any] | None:
    """A progress report from a stdout line: a JSON object with status, progress and/or message."""
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    update = {k: value[k] for k in ("status", "progress", "message") if k in value}
    return update or None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        worker = Worker(
            args.url,
            args.operations,
            CommandHandler(args.command, args.no_retry),
            token=args.token,
            worker_id=args.worker_id,
            concurrency=args.concurrency,
            wait_seconds=args.wait_seconds,
            progress_every_seconds=args.progress_every,
            version=__version__,
            on_event=_print,
        )
    except ValueError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    _print({"event": "starting", "workerId": worker.worker_id, "operations": args.operations})
    try:
        worker.run(stop_timeout=args.stop_timeout)
    except Exception as error:  # a fault of the worker itself, not of a job
        logging.getLogger("jobservice_worker").exception("worker failed")
        sys.stderr.write(f"error: {error}\n")
        return 1
    _print({"event": "stopped", "workerId": worker.worker_id, "stats": worker.stats})
    worker.api.close()
    return 0
