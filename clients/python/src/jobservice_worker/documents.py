"""The GraphQL documents this package sends: exactly the ones docs/worker-protocol.md lists.

Each document selects only what a worker or script uses: every further field is work for the
service on the hot path (claim, progress, complete). The test suite checks that every document here
appears verbatim in docs/worker-protocol.md, and the service's own tests validate the document's
blocks against the schema, so the two cannot drift apart.
"""

from __future__ import annotations

LEASE_FRAGMENT = """fragment Lease on JobLease {
  token
  expiresAt
  attempt
  job {
    id
    operation
    status
    attempts
    maxAttempts
    parameters { target operation releaseStatus description bumpFromVersion bumpToVersion payload }
  }
}"""

HEARTBEAT = """mutation WorkerHeartbeat($input: WorkerHeartbeatInput!) {
  workerHeartbeat(input: $input) {
    heartbeatIntervalSeconds
    expirySeconds
    disabled
    maintenance
    queuePaused
    userErrors { code message field }
  }
}"""

CLAIM = (
    """mutation JobClaim($input: JobClaimInput!) {
  jobClaim(input: $input) {
    leases { ...Lease }
    reason
    userErrors { code message field }
  }
}
"""
    + LEASE_FRAGMENT
)

REPORT_PROGRESS = """mutation JobReportProgress($input: JobReportProgressInput!) {
  jobReportProgress(input: $input) {
    leaseExpiresAt
    cancelRequested
    userErrors { code message field }
  }
}"""

COMPLETE = (
    """mutation JobComplete($input: JobCompleteInput!) {
  jobComplete(input: $input) {
    next { ...Lease }
    nextReason
    userErrors { code message field }
  }
}
"""
    + LEASE_FRAGMENT
)

FAIL = (
    """mutation JobFail($input: JobFailInput!) {
  jobFail(input: $input) {
    retryAt
    next { ...Lease }
    nextReason
    userErrors { code message field }
  }
}
"""
    + LEASE_FRAGMENT
)

JOB_FRAGMENT = """fragment JobFields on Job {
  id
  status
  terminal
  operation
  parameters { target operation releaseStatus description payload }
  description
  createdBy
  createdAt
  updatedAt
  finishedAt
  priority
  attempts
  maxAttempts
  cancelRequested
  failureReason
  progress
  leaseExpiresAt
  worker { workerId }
  retryOf { id }
  retriedBy { id }
  log { at actor message status }
}"""

JOBS_CREATE = (
    """mutation JobsCreate($input: JobsCreateInput!) {
  jobsCreate(input: $input) {
    results {
      index
      job { ...JobFields }
      error { code message field }
      existingJob { id status }
    }
    userErrors { code message field }
  }
}
"""
    + JOB_FRAGMENT
)

JOB = (
    """query Job($id: ID!) {
  job(id: $id) { ...JobFields }
}
"""
    + JOB_FRAGMENT
)

JOBS = (
    """query Jobs($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String) {
  jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    nodes { ...JobFields }
    pageInfo { hasNextPage endCursor }
    totalCount
  }
}
"""
    + JOB_FRAGMENT
)

JOB_CANCEL = (
    """mutation JobCancel($input: JobCancelInput!) {
  jobCancel(input: $input) {
    job { ...JobFields }
    userErrors { code message field }
  }
}
"""
    + JOB_FRAGMENT
)

JOB_RETRY = (
    """mutation JobRetry($input: JobRetryInput!) {
  jobRetry(input: $input) {
    job { ...JobFields }
    retriedJob { id status }
    userErrors { code message field }
  }
}
"""
    + JOB_FRAGMENT
)

#: Every document, by the name docs/worker-protocol.md gives it.
ALL: dict[str, str] = {
    "WorkerHeartbeat": HEARTBEAT,
    "JobClaim": CLAIM,
    "JobReportProgress": REPORT_PROGRESS,
    "JobComplete": COMPLETE,
    "JobFail": FAIL,
    "JobsCreate": JOBS_CREATE,
    "Job": JOB,
    "Jobs": JOBS,
    "JobCancel": JOB_CANCEL,
    "JobRetry": JOB_RETRY,
}
