import { gql } from './load.js';

/**
 * A worker's calls, as plain GraphQL mutations: jobClaim, jobReportProgress and
 * jobComplete with claimNext (complete one job and claim the next in one call).
 * The bench drives them directly rather than through src/worker-client/, which
 * does not use claimNext yet; the selections are what a worker needs.
 */
const CLAIM = `mutation($i: JobClaimInput!) { jobClaim(input: $i) {
  lease { token expiresAt attempt job { id } } reason userErrors { code } } }`;
const PROGRESS = `mutation($i: JobReportProgressInput!) { jobReportProgress(input: $i) {
  leaseExpiresAt cancelRequested userErrors { code } } }`;
const COMPLETE = `mutation($i: JobCompleteInput!) { jobComplete(input: $i) {
  next { token expiresAt attempt job { id } } nextReason userErrors { code } } }`;

export interface Lease {
  token: string;
  expiresAt: string;
  attempt: number;
  job: { id: string };
}

type UserErrors = { userErrors: Array<{ code: string }> };

function check<T extends UserErrors>(what: string, payload: T): T {
  if (payload.userErrors.length) throw new Error(`${what}: ${payload.userErrors.map((e) => e.code).join(', ')}`);
  return payload;
}

export class BenchWorker {
  constructor(
    private readonly url: string,
    private readonly token: string,
    readonly workerId: string,
    private readonly operations: string[] = ['ADD'],
  ) {}

  /** jobClaim of one job; `waitSeconds` > 0 long-polls. */
  async claim(waitSeconds = 0): Promise<{ lease: Lease | null; reason: string | null }> {
    const d = await gql<{ jobClaim: { lease: Lease | null; reason: string | null } & UserErrors }>(this.url, this.token, CLAIM, {
      i: { workerId: this.workerId, operations: this.operations, waitSeconds },
    });
    return check('jobClaim', d.jobClaim);
  }

  /** jobReportProgress: a stage and a fraction (extends the lease). */
  async progress(lease: Lease, status: string, progress: number): Promise<void> {
    const d = await gql<{ jobReportProgress: UserErrors }>(this.url, this.token, PROGRESS, { i: { id: lease.job.id, leaseToken: lease.token, status, progress } });
    check('jobReportProgress', d.jobReportProgress);
  }

  /** jobComplete; with `claimNext`, the next lease comes back in the same call (null: nothing claimable, nextReason says why). */
  async complete(lease: Lease, claimNext: boolean): Promise<{ next: Lease | null; nextReason: string | null }> {
    const i = { id: lease.job.id, leaseToken: lease.token, ...(claimNext ? { claimNext: { workerId: this.workerId, operations: this.operations } } : {}) };
    const d = await gql<{ jobComplete: { next: Lease | null; nextReason: string | null } & UserErrors }>(this.url, this.token, COMPLETE, { i });
    return check('jobComplete', d.jobComplete);
  }
}
