"""``python -m jobservice_worker ... -- CMD``: one command per job, its exit code mapped to complete or fail."""

from __future__ import annotations

import signal
import subprocess
import sys

from .conftest import Service, WorkerProcess, job_status, wait_until

# The job arrives as JSON on stdin; its payload says how the command ends.
COMMAND = """
import json, sys
job = json.load(sys.stdin)
payload = job["parameters"]["payload"]
print(json.dumps({"status": "VALIDATING", "progress": 0.5, "message": "halfway " + job["id"]}), flush=True)
print("the command's last word")
if payload["exit"]:
    sys.stderr.write("could not read " + job["parameters"]["target"] + "\\n")
sys.exit(payload["exit"])
"""


def test_the_cli_maps_exit_codes_to_complete_and_fail(service: Service) -> None:
    client = service.client()
    results = client.submit([
        {"target": "PY_CLI_OK", "operation": "CHANGE", "payload": {"exit": 0}, "maxAttempts": 2},
        {"target": "PY_CLI_BAD_INPUT", "operation": "CHANGE", "payload": {"exit": 2}, "maxAttempts": 2},
        {"target": "PY_CLI_FLAKY", "operation": "CHANGE", "payload": {"exit": 1}, "maxAttempts": 2},
    ])  # fmt: skip
    ok, bad, flaky = (r["job"]["id"] for r in results if r["job"])
    cli = WorkerProcess(
        [sys.executable, "-m", "jobservice_worker", "--url", service.url, "--operations", "CHANGE", "--concurrency", "2",
         "--wait-seconds", "1", "--", sys.executable, "-c", COMMAND],
        service.tokens["WORKER"],
    )  # fmt: skip
    try:
        done_ok = wait_until(job_status(client, ok, "COMPLETED", "FAILED"), what="the exit-0 job to end")
        done_bad = wait_until(job_status(client, bad, "COMPLETED", "FAILED"), what="the exit-2 job to end")
        done_flaky = wait_until(job_status(client, flaky, "FAILED", "COMPLETED"), what="the exit-1 job to end")
        cli.proc.send_signal(signal.SIGTERM)
        assert cli.wait_exit() == 0
    finally:
        cli.kill()

    assert (done_ok["status"], done_ok["attempts"]) == ("COMPLETED", 1)
    messages = [entry["message"] for entry in done_ok["log"]]
    assert f"halfway {ok}" in messages and "the command's last word" in messages
    assert "VALIDATING" in [entry["status"] for entry in done_ok["log"]]

    # Exit 2: not retried. Any other code: retried until maxAttempts. The reason carries stderr.
    assert (done_bad["status"], done_bad["attempts"]) == ("FAILED", 1)
    assert done_bad["failureReason"] == "command exited with 2: could not read PY_CLI_BAD_INPUT"
    assert (done_flaky["status"], done_flaky["attempts"]) == ("FAILED", 2)
    assert done_flaky["failureReason"] == "command exited with 1: could not read PY_CLI_FLAKY (after 2 attempts)"
    assert [e["event"] for e in cli.events][-1] == "stopped"


def test_the_cli_stops_a_cancelled_jobs_command(service: Service) -> None:
    client = service.client()
    job = client.submit_one("PY_CLI_CANCEL", "ADD")
    # A shell command (one argument: run by /bin/sh -c) that would run for a minute.
    cli = WorkerProcess(
        [sys.executable, "-m", "jobservice_worker", "--url", service.url, "--operations", "ADD", "--progress-every", "0.1",
         "--", "echo started; exec sleep 60"],
        service.tokens["WORKER"],
    )  # fmt: skip
    try:
        cli.wait_event(lambda e: e.get("event") == "claimed" and e.get("id") == job["id"])
        client.cancel(job["id"])
        done = wait_until(job_status(client, job["id"], "CANCELLED", "FAILED", "COMPLETED"), what="the job to end")
        assert done["status"] == "CANCELLED"
        cli.wait_event(lambda e: e.get("event") == "cancelRequested")
        cli.proc.send_signal(signal.SIGINT)
        assert cli.wait_exit() == 0
    finally:
        cli.kill()


def test_the_cli_refuses_bad_arguments_with_exit_2() -> None:
    for args in (["--url", "http://127.0.0.1:9", "--operations", "ADD"], ["--operations", "ADD", "--", "true"]):
        proc = subprocess.run([sys.executable, "-m", "jobservice_worker", *args], capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2, proc.stderr
        assert "usage:" in proc.stderr
