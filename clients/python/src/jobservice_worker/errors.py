"""The errors a worker or script sees. One home, so handlers, the worker loop and callers agree."""

from __future__ import annotations

from typing import Any


class JobServiceError(Exception):
    """A call failed: transport, HTTP status or a top-level GraphQL error (not a userError).

    ``code`` is the first GraphQL error's ``extensions.code`` (UNAUTHENTICATED, FORBIDDEN,
    SERVICE_UNAVAILABLE...) or one of NETWORK_ERROR, TIMEOUT, BAD_RESPONSE, HTTP_<status>, or
    TOKEN_ERROR when the token callable raised.
    """

    def __init__(self, code: str, message: str, http_status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status

    @property
    def transient(self) -> bool:
        """Whether the same call may succeed later (network trouble, a timeout, a 5xx, a masked fault or an unavailable backend)."""
        if self.code in ("NETWORK_ERROR", "TIMEOUT", "SERVICE_UNAVAILABLE", "INTERNAL_SERVER_ERROR", "TOKEN_ERROR"):
            return True
        return self.http_status is not None and self.http_status >= 500 and self.code.startswith("HTTP_")


class UserErrorsError(Exception):
    """The service refused a request with userErrors (``[{code, message, field}]``): data the caller can fix."""

    def __init__(self, operation: str, user_errors: list[dict[str, Any]]) -> None:
        codes = ", ".join(str(e.get("code")) for e in user_errors)
        super().__init__(f"{operation} refused: {codes}: {user_errors[0].get('message') if user_errors else ''}")
        self.operation = operation
        self.user_errors = user_errors

    @property
    def codes(self) -> list[str]:
        return [str(e.get("code")) for e in self.user_errors]


class LeaseLostError(Exception):
    """The service answered LEASE_LOST: the lease expired or the job went to another worker.

    Stop touching the job; nothing reported any more counts. Raise it (or let it propagate from
    ``ctx.report_progress``) to end a handler: the worker then leaves the job to its new holder.
    """

    def __init__(self, job_id: str) -> None:
        super().__init__(f"lease lost on job {job_id}")
        self.job_id = job_id


class JobCancelledError(Exception):
    """Raise from a handler that stops because an operator cancelled the job (``ctx.cancel_requested``).

    The job is failed without a retry, and the service records it as CANCELLED.
    """


class WorkerStoppingError(Exception):
    """Raised by ``ctx.check()`` when the worker is stopping and no longer waits for the handler.

    The job is failed as retryable so another worker picks it up.
    """


class NonRetryableError(Exception):
    """Raise from a handler when another attempt cannot succeed (bad input, say): the job fails at once."""
