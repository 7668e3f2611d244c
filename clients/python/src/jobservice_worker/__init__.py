"""A worker client for the job service: ``Worker`` runs jobs, ``Client`` submits and follows them.

The protocol both speak is docs/worker-protocol.md in the service's repository.
"""

from ._http import TokenSource
from ._run import Handler, JobContext
from .api import WorkerAPI
from .client import Client, JobCreateResult, JobsPage
from .errors import (
    JobCancelledError,
    JobServiceError,
    LeaseLostError,
    NonRetryableError,
    UserErrorsError,
    WorkerStoppingError,
)
from .types import ClaimResult, CompleteResult, FailResult, HeartbeatResult, JobLease, LeasedJob, ProgressResult
from .worker import Worker

__version__ = "0.1.0"

__all__ = [
    "ClaimResult",
    "Client",
    "CompleteResult",
    "FailResult",
    "Handler",
    "HeartbeatResult",
    "JobCancelledError",
    "JobContext",
    "JobCreateResult",
    "JobLease",
    "JobServiceError",
    "JobsPage",
    "LeaseLostError",
    "LeasedJob",
    "NonRetryableError",
    "ProgressResult",
    "TokenSource",
    "UserErrorsError",
    "Worker",
    "WorkerAPI",
    "WorkerStoppingError",
    "__version__",
]
