import type { JobOperation, JobOrderField, JobStatus, ReleaseStatus, SortDirection } from './generated/graphql.js';

/**
 * What the job pages share: the fields of a job row (one fragment for the
 * `jobs` query and the `jobEvents` subscription, so a live event renders the
 * same row), the detail fields of one job, and the enum value lists.
 */

/** One row of the jobs table. */
export const JOB_ROW = /* GraphQL */ `
  fragment JobRow on Job {
    id
    operation
    status
    terminal
    createdBy
    createdAt
    updatedAt
    progress
    attempts
    maxAttempts
    target {
      id
      name
    }
  }
`;

/** Everything an operator wants to see about one job (query and `jobUpdated`). */
export const JOB_DETAIL = /* GraphQL */ `
  fragment JobDetail on Job {
    id
    status
    terminal
    operation
    target {
      id
      name
      status
    }
    parameters {
      target
      operation
      releaseStatus
      description
      bumpFromVersion
      bumpToVersion
      bumpManifesto {
        version
        description
        releaseTime
        languageCode
        updateType
        dataStructureUpdates {
          name
          description
          operation
          releaseStatus
        }
      }
      payload
    }
    description
    createdBy
    createdAt
    updatedAt
    startedAt
    finishedAt
    priority
    runAt
    attempts
    maxAttempts
    cancelRequested
    failureReason
    progress
    leaseExpiresAt
    worker {
      id
      workerId
      alive
      status
      hostname
    }
    retryOf {
      id
      status
    }
    retriedBy {
      id
      status
    }
    log {
      at
      actor
      message
      status
    }
  }
`;

/** Every value of a string union, once; fails to compile when the schema adds or removes one. */
function allOf<T extends string>() {
  return <const L extends readonly T[]>(list: L & ([T] extends [L[number]] ? unknown : { missing: Exclude<T, L[number]> })): readonly T[] => list;
}

/** JobStatus in the order a job moves through them; the last three are terminal. */
export const JOB_STATUSES = allOf<JobStatus>()([
  'WAITING',
  'QUEUED',
  'INITIATED',
  'VALIDATING',
  'DECRYPTING',
  'TRANSFORMING',
  'PSEUDONYMIZING',
  'ENRICHING',
  'CONVERTING',
  'PARTITIONING',
  'BUILT',
  'IMPORTING',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
]);

/** The statuses a job never leaves (its `terminal` field says the same of one job). */
export const TERMINAL_STATUSES: readonly JobStatus[] = JOB_STATUSES.slice(-3);

export const JOB_OPERATIONS = allOf<JobOperation>()(['ADD', 'CHANGE', 'PATCH_METADATA', 'SET_STATUS', 'BUMP', 'DELETE_DRAFT', 'REMOVE', 'ROLLBACK_REMOVE', 'DELETE_ARCHIVE']);

export const RELEASE_STATUSES = allOf<ReleaseStatus>()(['DRAFT', 'PENDING_RELEASE', 'PENDING_DELETE']);

export const ORDER_FIELDS = allOf<JobOrderField>()(['CREATED_AT', 'UPDATED_AT', 'PRIORITY']);
export const SORT_DIRECTIONS = allOf<SortDirection>()(['DESC', 'ASC']);

export function isJobStatus(v: string): v is JobStatus {
  return (JOB_STATUSES as readonly string[]).includes(v);
}
export function isJobOperation(v: string): v is JobOperation {
  return (JOB_OPERATIONS as readonly string[]).includes(v);
}

/** A 24-hex job id shortened for tables (the full id goes in a title). */
export function shortId(id: string): string {
  return id.length > 10 ? `${id.slice(0, 4)}…${id.slice(-6)}` : id;
}

/** An ISO time → the value of a datetime-local input (local time, minutes). */
export function isoToLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** A datetime-local value (local time) → ISO in UTC; null when empty or invalid. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
