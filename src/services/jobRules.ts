import { z } from 'zod';
import type { JobCreateInput, JobOperation, JobStatus } from '../generated/graphql.js';
import { fromZod, userError, type UserError } from './userErrors.js';

/**
 * The rules of jobs in one place: parameter rules per operation, names, and
 * the status state machine.
 */

export const TERMINAL_STATUSES: readonly JobStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
/** The fields of a live lease on a job, unset whenever the job leaves its worker. */
export const LEASE_FIELDS = ['leaseToken', 'leaseExpiresAt'] as const;
/** Claimed and working, in the order a job moves through them. */
export const RUNNING_STATUSES: readonly JobStatus[] = [
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
];
/** WAITING: a flow's final job, before its children end (then QUEUED, or FAILED by the flow's policy). */
export const ACTIVE_STATUSES: readonly JobStatus[] = ['WAITING', 'QUEUED', ...RUNNING_STATUSES];
export const ALL_STATUSES: readonly JobStatus[] = [...ACTIVE_STATUSES, ...TERMINAL_STATUSES];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/** Dataset names: [A-Z0-9_], not starting with a digit or `_`. */
export const DATASET_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;
export const DATASTORE = 'DATASTORE';
export const MAX_PAYLOAD_BYTES = 64 * 1024;
export const DEFAULT_MAX_ATTEMPTS = 3;

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);

const manifesto = z.object({
  version: text(64),
  description: text(10_000),
  releaseTime: z.date().nullish(),
  languageCode: z.string().max(16).nullish(),
  updateType: z.enum(['MAJOR', 'MINOR', 'PATCH']).nullish(),
  dataStructureUpdates: z
    .array(
      z.object({
        name: z.string().regex(DATASET_NAME, 'a dataset name: [A-Z0-9_], not starting with a digit or _'),
        description: text(10_000),
        operation: text(32),
        releaseStatus: z.enum(['DRAFT', 'PENDING_RELEASE', 'PENDING_DELETE']),
      }),
    )
    .max(1000, 'at most 1000 data-structure updates'),
});

const jobCreate = z
  .object({
    target: z.string().regex(DATASET_NAME, 'a dataset name: [A-Z0-9_], not starting with a digit or _ (or DATASTORE)'),
    operation: z.string(),
    description: text(10_000).nullish(),
    releaseStatus: z.string().nullish(),
    bumpManifesto: manifesto.nullish(),
    bumpFromVersion: text(64).nullish(),
    bumpToVersion: text(64).nullish(),
    priority: z.number().int().min(-100).max(100).nullish(),
    runAt: z.date().nullish(),
    maxAttempts: z.number().int().min(1).max(20).nullish(),
    payload: z.unknown().optional(),
  })
  .superRefine((v, ctx) => {
    const need = (field: keyof typeof v, why: string) => {
      if (v[field] === null || v[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required for ${why}` });
    };
    switch (v.operation as JobOperation) {
      case 'REMOVE':
        need('description', 'REMOVE');
        break;
      case 'SET_STATUS':
        need('releaseStatus', 'SET_STATUS');
        break;
      case 'BUMP':
        need('description', 'BUMP');
        need('bumpManifesto', 'BUMP');
        need('bumpFromVersion', 'BUMP');
        need('bumpToVersion', 'BUMP');
        if (v.target !== DATASTORE) ctx.addIssue({ code: 'custom', path: ['target'], message: 'BUMP acts on the target DATASTORE' });
        break;
      default:
        break;
    }
    if (v.operation !== 'BUMP') {
      for (const field of ['bumpManifesto', 'bumpFromVersion', 'bumpToVersion'] as const) {
        if (v[field] !== null && v[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'only for BUMP' });
      }
    }
    if (v.operation !== 'SET_STATUS' && v.releaseStatus) ctx.addIssue({ code: 'custom', path: ['releaseStatus'], message: 'only for SET_STATUS' });
  });

export interface ValidJobInput {
  input: JobCreateInput;
  /** JSON text of the payload, when one was given. */
  payloadJson: string | null;
}

/** Validates one jobsCreate item; errors carry paths under `prefix`. */
export function validateJobCreate(
  input: JobCreateInput,
  prefix: Array<string | number>,
  bumpEnabled: boolean,
): { ok: true; value: ValidJobInput } | { ok: false; errors: UserError[] } {
  const parsed = jobCreate.safeParse(input);
  if (!parsed.success) {
    const targetOnly = parsed.error.issues.every((i) => i.path[0] === 'target');
    return { ok: false, errors: fromZod(parsed.error, targetOnly ? 'INVALID_TARGET' : 'INVALID_PARAMETERS', prefix) };
  }
  if (input.operation === 'BUMP' && !bumpEnabled) {
    return { ok: false, errors: [userError('BUMP_DISABLED', 'datastore bumps are disabled by configuration (BUMP_ENABLED)', [...prefix, 'operation'])] };
  }
  let payloadJson: string | null = null;
  if (input.payload !== undefined && input.payload !== null) {
    payloadJson = JSON.stringify(input.payload);
    if (Buffer.byteLength(payloadJson) > MAX_PAYLOAD_BYTES) {
      return { ok: false, errors: [userError('INVALID_PARAMETERS', `payload is larger than ${MAX_PAYLOAD_BYTES} bytes`, [...prefix, 'payload'])] };
    }
  }
  return { ok: true, value: { input, payloadJson } };
}

/**
 * The status state machine. Terminal jobs are immutable; running stages move
 * forward only (a stage may be skipped); any active job may fail or be
 * cancelled; only a started job may complete; nothing goes back to QUEUED
 * except through the queue's own requeue (lease expiry) or jobRetry.
 */
/** The statuses from which a job may move to `to` (the scripts enforce it atomically; checkTransition words the refusal). */
export function allowedFrom(to: JobStatus): JobStatus[] {
  return ALL_STATUSES.filter((from) => checkTransition(from, to) === null);
}

export function checkTransition(from: JobStatus, to: JobStatus): UserError | null {
  if (isTerminal(from)) return userError('JOB_TERMINAL', `the job is ${from}: terminal jobs cannot change`, ['input', 'status']);
  if (from === to) return null;
  if (to === 'FAILED' || to === 'CANCELLED') return null;
  // Only the flow queues its final job (lua/flow.lua), when its children have ended.
  if (from === 'WAITING') return userError('INVALID_TRANSITION', 'a flow\'s final job is queued when its children end; it can only fail or be cancelled before', ['input', 'status']);
  if (to === 'COMPLETED') {
    return from === 'QUEUED' ? userError('INVALID_TRANSITION', 'a job that has not started cannot complete', ['input', 'status']) : null;
  }
  const fromIndex = ACTIVE_STATUSES.indexOf(from);
  const toIndex = ACTIVE_STATUSES.indexOf(to);
  if (toIndex > fromIndex && to !== 'QUEUED') return null;
  return userError('INVALID_TRANSITION', `a job cannot go from ${from} back to ${to}`, ['input', 'status']);
}
