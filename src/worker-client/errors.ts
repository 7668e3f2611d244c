/**
 * The errors a worker sees. One home so handlers, the worker loop and callers agree on what each means.
 */

/** A call to the worker API failed: transport, HTTP status or a top-level GraphQL error (not a userError). */
export class WorkerClientError extends Error {
  override readonly name = 'WorkerClientError';

  constructor(
    /** extensions.code of the first GraphQL error, or NETWORK_ERROR, TIMEOUT, ABORTED, BAD_RESPONSE, HTTP_<status>. */
    readonly code: string,
    message: string,
    /** The HTTP status, when a response arrived. */
    readonly httpStatus?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The service refused a call with LEASE_LOST: the lease expired or the job went to someone else. The worker
 * must stop touching the job; nothing it reports any more counts.
 */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';

  constructor(readonly jobId: string) {
    super(`lease lost on job ${jobId}`);
  }
}

/** Throw from a handler when another attempt cannot succeed (bad input, say): the job fails without a retry. */
export class NonRetryableError extends Error {
  override readonly name = 'NonRetryableError';
}
