"""The worker API, one method per mutation of docs/worker-protocol.md; no loops, no retries."""

from __future__ import annotations

from typing import Any, cast

import httpx

from . import documents
from ._http import GraphQLTransport, TokenSource
from .types import ClaimNext, ClaimResult, CompleteResult, FailResult, HeartbeatResult, ProgressResult


def _input(**fields: Any) -> dict[str, Any]:
    """The mutation input without the arguments left out (None), so the service's defaults apply."""
    return {"input": {k: v for k, v in fields.items() if v is not None}}


class WorkerAPI:
    """Thin typed calls for a worker (role WORKER). Thread-safe. Use ``Worker`` for the loops around them."""

    def __init__(self, url: str, token: TokenSource | None = None, *, timeout: float = 10.0) -> None:
        self.transport = GraphQLTransport(url, token, timeout=timeout)

    def heartbeat(
        self,
        worker_id: str,
        status: str,
        *,
        hostname: str | None = None,
        version: str | None = None,
        operations: list[str] | None = None,
        current_job_id: str | None = None,
        progress: float | None = None,
        info: Any = None,
    ) -> HeartbeatResult:
        variables = _input(
            workerId=worker_id, status=status, hostname=hostname, version=version, operations=operations,
            currentJobId=current_job_id, progress=progress, info=info,
        )  # fmt: skip
        return cast(HeartbeatResult, self.transport.execute("workerHeartbeat", documents.HEARTBEAT, variables))

    def claim(self, worker_id: str, operations: list[str], *, wait_seconds: int = 0, max_jobs: int = 1) -> ClaimResult:
        variables = _input(workerId=worker_id, operations=operations, waitSeconds=wait_seconds, maxJobs=max_jobs)
        return cast(ClaimResult, self.transport.execute("jobClaim", documents.CLAIM, variables, extra_timeout=wait_seconds))

    async def claim_async(
        self, http: httpx.AsyncClient, worker_id: str, operations: list[str], *, wait_seconds: int = 0, max_jobs: int = 1
    ) -> ClaimResult:
        """``claim`` on an asyncio client: the worker's long poll, which stop() cancels."""
        variables = _input(workerId=worker_id, operations=operations, waitSeconds=wait_seconds, maxJobs=max_jobs)
        result = await self.transport.execute_async(http, "jobClaim", documents.CLAIM, variables, extra_timeout=wait_seconds)
        return cast(ClaimResult, result)

    def report_progress(
        self, job_id: str, lease_token: str, *, status: str | None = None, progress: float | None = None, message: str | None = None
    ) -> ProgressResult:
        variables = _input(id=job_id, leaseToken=lease_token, status=status, progress=progress, message=message)
        return cast(ProgressResult, self.transport.execute("jobReportProgress", documents.REPORT_PROGRESS, variables))

    def complete(self, job_id: str, lease_token: str, *, message: str | None = None, claim_next: ClaimNext | None = None) -> CompleteResult:
        variables = _input(id=job_id, leaseToken=lease_token, message=message, claimNext=claim_next)
        return cast(CompleteResult, self.transport.execute("jobComplete", documents.COMPLETE, variables))

    def fail(
        self, job_id: str, lease_token: str, reason: str, *, retryable: bool = True, claim_next: ClaimNext | None = None
    ) -> FailResult:
        variables = _input(id=job_id, leaseToken=lease_token, reason=reason, retryable=retryable, claimNext=claim_next)
        return cast(FailResult, self.transport.execute("jobFail", documents.FAIL, variables))

    def close(self) -> None:
        self.transport.close()
