import type { JobOperation, JobStatus } from '../generated/graphql.js';
import { RUNNING_STATUSES } from '../services/jobRules.js';
import type { JobEventView } from '../services/events.js';

/**
 * What one published job event means for the counters: the one reading of events that both the
 * Prometheus metrics (metrics.ts) and the per-minute job stats (stats.ts) use. Events are counted by
 * the instance that publishes them (EventService.publishJobs, called by every lifecycle function with
 * the changed documents), so the counts of several instances add up and nothing is counted twice.
 */
export type JobOutcome = 'completed' | 'failed' | 'cancelled';

export interface JobFacts {
  operation: JobOperation;
  created: boolean;
  /** Claimed: QUEUED → INITIATED; with the seconds it waited since it became due (enqueue → start). */
  started: boolean;
  waitSeconds: number | null;
  /** Ended with this outcome. */
  ended: JobOutcome | null;
  /** Back to the queue for another attempt (a retryable failure or an expired lease), or a new job made by jobRetry. */
  retried: 'automatic' | 'manual' | null;
  /** Seconds the attempt that just ended (ended or retried) ran; null when it never ran. */
  runSeconds: number | null;
}

const OUTCOME: Partial<Record<JobStatus, JobOutcome>> = { COMPLETED: 'completed', FAILED: 'failed', CANCELLED: 'cancelled' };

/** The facts of one event, or null when it changes no counter (a progress report, a note). */
export function jobFacts(e: JobEventView): JobFacts | null {
  const job = e.job;
  const facts: JobFacts = { operation: job.operation, created: false, started: false, waitSeconds: null, ended: null, retried: null, runSeconds: null };
  if (e.kind === 'CREATED') {
    facts.created = true;
    if (job.retryOf) facts.retried = 'manual';
    return facts;
  }
  const from = e.previousStatus;
  const to = job.status;
  if (e.kind !== 'STATUS_CHANGED' || from === null || from === to) return null;
  const at = new Date(e.at).getTime();
  const wasRunning = RUNNING_STATUSES.includes(from);
  if (from === 'QUEUED' && to === 'INITIATED') {
    facts.started = true;
    const due = Math.max(new Date(job.createdAt).getTime(), job.runAt ? new Date(job.runAt).getTime() : 0);
    facts.waitSeconds = seconds((job.startedAt ? new Date(job.startedAt).getTime() : at) - due);
    return facts;
  }
  if (wasRunning && to === 'QUEUED') facts.retried = 'automatic';
  facts.ended = OUTCOME[to] ?? null;
  if (!facts.retried && !facts.ended) return null;
  if (wasRunning && job.startedAt) facts.runSeconds = seconds(at - new Date(job.startedAt).getTime());
  return facts;
}

function seconds(ms: number): number {
  return Number.isFinite(ms) ? Math.max(0, ms) / 1000 : 0;
}
