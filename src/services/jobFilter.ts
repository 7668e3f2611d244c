import type { JobFilter, JobOrder, JobStatus } from '../generated/graphql.js';
import type { JobRecord } from '../models/job.js';
import { ACTIVE_STATUSES, TERMINAL_STATUSES } from './jobRules.js';
import { decodeCursor, encodeCursor } from './pagination.js';

/**
 * JobFilter → a MongoDB query, and the same filter as a predicate on one job
 * (for subscriptions), so the `jobs` query and `jobEvents` match alike. Every
 * user value is placed as a literal (String(...), Date, or a list of enum
 * values): no operator can come from user input.
 */
export function jobFilterQuery(filter: JobFilter | null | undefined): Record<string, unknown> {
  const and: Array<Record<string, unknown>> = [];
  if (!filter) return {};
  if (filter.statuses) and.push({ status: { $in: filter.statuses.map(String) } });
  if (filter.active === true) and.push({ status: { $in: [...ACTIVE_STATUSES] } });
  if (filter.active === false) and.push({ status: { $in: [...TERMINAL_STATUSES] } });
  if (filter.operations) and.push({ operation: { $in: filter.operations.map(String) } });
  if (filter.target !== null && filter.target !== undefined) and.push({ target: String(filter.target) });
  if (filter.createdBy !== null && filter.createdBy !== undefined) and.push({ createdBy: String(filter.createdBy) });
  if (filter.createdAfter) and.push({ createdAt: { $gte: toDate(filter.createdAfter) } });
  if (filter.createdBefore) and.push({ createdAt: { $lt: toDate(filter.createdBefore) } });
  if (filter.failureReason !== null && filter.failureReason !== undefined) and.push({ failureReason: String(filter.failureReason) });
  // Dead letter: FAILED and not retried (`retriedBy: null` matches a missing field and a stored null alike).
  if (filter.deadLetter === true) and.push({ status: 'FAILED', retriedBy: null });
  if (filter.deadLetter === false) and.push({ $or: [{ status: { $ne: 'FAILED' } }, { retriedBy: { $ne: null } }] });
  if (and.length === 0) return {};
  return and.length === 1 ? and[0]! : { $and: and };
}

/** A filter with no condition at all (bulk actions refuse it: it would match every job). */
export function isEmptyJobFilter(filter: JobFilter | null | undefined): boolean {
  return !filter || Object.values(filter).every((v) => v === null || v === undefined);
}

export type FilterableJob = Pick<JobRecord, 'status' | 'operation' | 'target' | 'createdBy' | 'createdAt' | 'failureReason' | 'retriedBy'>;

export function matchesJobFilter(job: FilterableJob, filter: JobFilter | null | undefined): boolean {
  if (!filter) return true;
  if (filter.statuses && !filter.statuses.includes(job.status)) return false;
  if (filter.active === true && !ACTIVE_STATUSES.includes(job.status)) return false;
  if (filter.active === false && !TERMINAL_STATUSES.includes(job.status as JobStatus)) return false;
  if (filter.operations && !filter.operations.includes(job.operation)) return false;
  if (filter.target !== null && filter.target !== undefined && job.target !== filter.target) return false;
  if (filter.createdBy !== null && filter.createdBy !== undefined && job.createdBy !== filter.createdBy) return false;
  if (filter.createdAfter && job.createdAt < toDate(filter.createdAfter)) return false;
  if (filter.createdBefore && job.createdAt >= toDate(filter.createdBefore)) return false;
  if (filter.failureReason !== null && filter.failureReason !== undefined && job.failureReason !== filter.failureReason) return false;
  if (filter.deadLetter !== null && filter.deadLetter !== undefined && filter.deadLetter !== (job.status === 'FAILED' && !job.retriedBy)) return false;
  return true;
}

function toDate(v: unknown): Date {
  return v instanceof Date ? v : new Date(String(v));
}

const FIELDS = { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', PRIORITY: 'priority' } as const;

export interface JobSort {
  field: (typeof FIELDS)[keyof typeof FIELDS];
  dir: 1 | -1;
}

export function jobSort(order: JobOrder | null | undefined): JobSort {
  return { field: FIELDS[order?.field ?? 'CREATED_AT'], dir: order?.direction === 'ASC' ? 1 : -1 };
}

/** Sort spec ending with _id (DESIGN.md rule 7). */
export function sortSpec(s: JobSort): Record<string, 1 | -1> {
  return { [s.field]: s.dir, _id: s.dir };
}

export function jobCursor(job: JobRecord, s: JobSort): string {
  const v = job[s.field];
  return encodeCursor([v instanceof Date ? v.getTime() : (v as number), job._id.toHexString()]);
}

/** Keyset condition: items strictly after the cursor in sort order. */
export function afterCursor(after: string, s: JobSort): Record<string, unknown> {
  const [value, oid] = decodeCursor(after, ['number', 'objectId']);
  const v = s.field === 'priority' ? value : new Date(value);
  const op = s.dir === 1 ? '$gt' : '$lt';
  return { $or: [{ [s.field]: { [op]: v } }, { [s.field]: v, _id: { [op]: oid } }] };
}

