"""The shapes of what the service answers, as it sends them (camelCase keys, JSON values)."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

JobOperation = Literal[
    "ADD", "CHANGE", "PATCH_METADATA", "SET_STATUS", "BUMP", "DELETE_DRAFT", "REMOVE", "ROLLBACK_REMOVE", "DELETE_ARCHIVE"
]
JobStatus = Literal[
    "QUEUED", "INITIATED", "VALIDATING", "DECRYPTING", "TRANSFORMING", "PSEUDONYMIZING", "ENRICHING", "CONVERTING",
    "PARTITIONING", "BUILT", "IMPORTING", "COMPLETED", "FAILED", "CANCELLED",
]  # fmt: skip
WorkerStatus = Literal["IDLE", "BUSY", "STOPPING"]
#: Why a claim handed out no job: EMPTY, MAINTENANCE, PAUSED, WORKER_DISABLED (kept open: a str).
ClaimReason = str


class UserError(TypedDict):
    code: str
    message: str
    field: list[str] | None


class LeasedJobParameters(TypedDict):
    target: str
    operation: JobOperation
    releaseStatus: str | None
    description: str | None
    bumpFromVersion: str | None
    bumpToVersion: str | None
    payload: Any


class LeasedJob(TypedDict):
    id: str
    operation: JobOperation
    status: JobStatus
    attempts: int
    maxAttempts: int
    parameters: LeasedJobParameters


class JobLease(TypedDict):
    #: The fencing token: pass it to jobReportProgress, jobComplete and jobFail.
    token: str
    expiresAt: str
    attempt: int
    job: LeasedJob


class HeartbeatResult(TypedDict):
    heartbeatIntervalSeconds: int
    expirySeconds: int
    disabled: bool
    maintenance: bool
    queuePaused: bool
    userErrors: list[UserError]


class ClaimResult(TypedDict):
    leases: list[JobLease]
    reason: ClaimReason | None
    userErrors: list[UserError]


class ProgressResult(TypedDict):
    leaseExpiresAt: str | None
    cancelRequested: bool
    userErrors: list[UserError]


class CompleteResult(TypedDict):
    #: Handed out even when the complete itself was refused (LEASE_LOST): it is the caller's to run.
    next: JobLease | None
    nextReason: ClaimReason | None
    userErrors: list[UserError]


class FailResult(CompleteResult):
    retryAt: str | None


class ClaimNext(TypedDict):
    workerId: str
    operations: list[str]
