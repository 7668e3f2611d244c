"""A small client for scripts and notebooks: submit jobs, read them, cancel and retry them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypedDict, cast

from . import documents
from ._http import GraphQLTransport, TokenSource
from .errors import UserErrorsError
from .types import UserError


class JobCreateResult(TypedDict):
    """One item of a jobsCreate: the job, or why it was rejected (and the job in the way, for a duplicate)."""

    index: int
    job: dict[str, Any] | None
    error: UserError | None
    existingJob: dict[str, Any] | None


class JobsPage(TypedDict):
    nodes: list[dict[str, Any]]
    pageInfo: dict[str, Any]
    totalCount: int


class Client:
    """Calls as a user (SUBMITTER for submit, VIEWER to read, OPERATOR to cancel and retry).

    Jobs come back as dicts with the fields of ``documents.JOB_FRAGMENT`` (camelCase, as the service
    sends them). Refusals of a single-job call raise UserErrorsError; jobsCreate answers per item.
    """

    def __init__(self, url: str, token: TokenSource | None = None, *, timeout: float = 30.0) -> None:
        """``token``: a string, or a callable asked before every call; default JOBSERVICE_TOKEN / WORKER_TOKEN."""
        self.transport = GraphQLTransport(url, token, timeout=timeout)

    def submit(self, items: Sequence[dict[str, Any]]) -> list[JobCreateResult]:
        """jobsCreate: one result per item, in order. Items are JobCreateInput dicts (target, operation, ...).

        Raises UserErrorsError when the batch as a whole is refused (empty, too large).
        """
        payload = self.transport.execute("jobsCreate", documents.JOBS_CREATE, {"input": {"items": list(items)}})
        if payload["userErrors"]:
            raise UserErrorsError("jobsCreate", payload["userErrors"])
        return cast(list[JobCreateResult], payload["results"])

    def submit_one(self, target: str, operation: str, **fields: Any) -> dict[str, Any]:
        """Creates one job and returns it; raises UserErrorsError when it is rejected."""
        (result,) = self.submit([{"target": target, "operation": operation, **fields}])
        if result["job"] is None:
            raise UserErrorsError("jobsCreate", [dict(result["error"])] if result["error"] else [])
        return result["job"]

    def job(self, job_id: str) -> dict[str, Any] | None:
        """One job by id; None when there is none."""
        return cast("dict[str, Any] | None", self.transport.execute("job", documents.JOB, {"id": job_id}))

    def jobs(
        self,
        filter: dict[str, Any] | None = None,
        *,
        order_by: dict[str, Any] | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> JobsPage:
        """One page of jobs matching a JobFilter (statuses, operations, target, createdBy, active, createdAfter/Before)."""
        variables = {"filter": filter, "orderBy": order_by, "first": first, "after": after}
        return cast(JobsPage, self.transport.execute("jobs", documents.JOBS, variables))

    def iter_jobs(self, filter: dict[str, Any] | None = None, *, order_by: dict[str, Any] | None = None, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every job matching the filter, page by page."""
        after: str | None = None
        while True:
            page = self.jobs(filter, order_by=order_by, first=page_size, after=after)
            yield from page["nodes"]
            if not page["pageInfo"]["hasNextPage"]:
                return
            after = page["pageInfo"]["endCursor"]

    def cancel(self, job_id: str, reason: str | None = None) -> dict[str, Any]:
        """Cancels a job: at once when queued, through its worker when running. The job after the change."""
        variables = {"input": {"id": job_id, **({"reason": reason} if reason is not None else {})}}
        payload = self.transport.execute("jobCancel", documents.JOB_CANCEL, variables)
        if payload["userErrors"]:
            raise UserErrorsError("jobCancel", payload["userErrors"])
        return cast("dict[str, Any]", payload["job"])

    def retry(self, job_id: str) -> dict[str, Any]:
        """Queues a FAILED or CANCELLED job again, as a new job linked to the old one; the new job."""
        payload = self.transport.execute("jobRetry", documents.JOB_RETRY, {"input": {"id": job_id}})
        if payload["userErrors"]:
            raise UserErrorsError("jobRetry", payload["userErrors"])
        return cast("dict[str, Any]", payload["job"])

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
