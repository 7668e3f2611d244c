import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { op, request, USER_ERROR_FIELDS, type UserError } from './api.js';
import { ErrorBox, UserErrors } from './components.js';
import type {
  BulkActionProgressQuery,
  BulkActionProgressQueryVariables,
  BulkCancelMutation,
  BulkCancelMutationVariables,
  BulkRetryMutation,
  BulkRetryMutationVariables,
  JobFilter,
} from './generated/graphql.js';
import { useMutation } from './hooks.js';
import { shortId } from './jobFields.js';
import { Link } from './router.js';

/**
 * "Select all jobs matching the filter → cancel or retry": a dry run first (how many, a few of them),
 * then a confirmation that sends the dry run's count as expectedCount (so a filter that has grown since
 * is refused, not acted on), then the recorded action's progress until it ends.
 */

const PAYLOAD = /* GraphQL */ `
  fragment BulkPayloadFields on JobsBulkPayload {
    matchedCount
    sample {
      id
      status
      target {
        id
        name
      }
    }
    action {
      id
    }
    userErrors {
      ...UserErrorFields
    }
  }
  ${USER_ERROR_FIELDS}
`;

const CANCEL = op<BulkCancelMutation, BulkCancelMutationVariables>(/* GraphQL */ `
  mutation BulkCancel($input: JobsCancelInput!) {
    jobsCancel(input: $input) {
      ...BulkPayloadFields
    }
  }
  ${PAYLOAD}
`);

const RETRY = op<BulkRetryMutation, BulkRetryMutationVariables>(/* GraphQL */ `
  mutation BulkRetry($input: JobsRetryInput!) {
    jobsRetry(input: $input) {
      ...BulkPayloadFields
    }
  }
  ${PAYLOAD}
`);

const PROGRESS = op<BulkActionProgressQuery, BulkActionProgressQueryVariables>(/* GraphQL */ `
  query BulkActionProgress($id: ID!) {
    bulkAction(id: $id) {
      id
      kind
      state
      matchedCount
      processedCount
      succeededCount
      failedCount
      error
      failures {
        jobId
        code
        message
      }
    }
  }
`);

type Payload = BulkCancelMutation['jobsCancel'];
type Action = NonNullable<BulkActionProgressQuery['bulkAction']>;
export type BulkKind = 'CANCEL' | 'RETRY';

const VERB: Record<BulkKind, string> = { CANCEL: 'Cancel', RETRY: 'Retry' };

/** Whether a filter has at least one condition (the server refuses an empty one with EMPTY_FILTER). */
export function hasCondition(filter: JobFilter): boolean {
  return Object.values(filter).some((v) => v !== null && v !== undefined);
}

/** Buttons that act on every job the filter matches (OPERATOR; the caller renders this only for them). */
export function BulkActions({ filter, kinds = ['CANCEL', 'RETRY'], label = 'all matching jobs' }: { filter: JobFilter; kinds?: BulkKind[]; label?: string }): JSX.Element {
  const cancel = useMutation(CANCEL);
  const retry = useMutation(RETRY);
  const [kind, setKind] = useState<BulkKind | null>(null);
  const [dry, setDry] = useState<Payload | null>(null);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [actionId, setActionId] = useState<string | null>(null);
  const filterKey = JSON.stringify(filter);
  // A new filter: whatever was counted for the old one no longer holds.
  useEffect(() => {
    setKind(null);
    setDry(null);
    setErrors([]);
  }, [filterKey]);

  const send = async (k: BulkKind, input: { dryRun: boolean; expectedCount?: number }): Promise<Payload | null> => {
    if (k === 'CANCEL') return (await cancel.run({ input: { filter, reason: reason.trim() || null, ...input } }))?.jobsCancel ?? null;
    return (await retry.run({ input: { filter, ...input } }))?.jobsRetry ?? null;
  };

  const start = async (k: BulkKind) => {
    setKind(k);
    setDry(null);
    setErrors([]);
    setActionId(null);
    const r = await send(k, { dryRun: true });
    if (!r) return;
    setErrors(r.userErrors);
    if (!r.userErrors.length) setDry(r);
  };

  const confirmIt = async (e: Event) => {
    e.preventDefault();
    if (!kind || !dry) return;
    const r = await send(kind, { dryRun: false, expectedCount: dry.matchedCount });
    if (!r) return;
    setErrors(r.userErrors);
    if (r.action) {
      setActionId(r.action.id);
      setDry(null);
    }
  };

  const running = cancel.running || retry.running;
  return (
    <div class="bulk" data-testid="bulk-actions">
      <div class="actions">
        {kinds.map((k) => (
          <button key={k} type="button" class="secondary" disabled={running || !hasCondition(filter)} title={hasCondition(filter) ? undefined : 'Set a filter first'} onClick={() => void start(k)}>
            {VERB[k]} {label}…
          </button>
        ))}
      </div>
      <ErrorBox message={cancel.error ?? retry.error} />
      <UserErrors errors={errors} />
      {kind && dry && (
        <form class="confirm" aria-label={`Confirm: ${VERB[kind].toLowerCase()} ${dry.matchedCount} jobs`} onSubmit={confirmIt} data-testid="bulk-confirm">
          <p>
            <strong data-testid="bulk-count">{dry.matchedCount}</strong> {dry.matchedCount === 1 ? 'job matches' : 'jobs match'} this filter, for example{' '}
            {dry.sample.slice(0, 5).map((j, i) => (
              <span key={j.id}>
                {i ? ', ' : ''}
                <code title={j.id}>{shortId(j.id)}</code> ({j.target.name}, {j.status})
              </span>
            ))}
            . {kind === 'CANCEL' ? 'Jobs that already ended are left as they are.' : 'Only FAILED and CANCELLED jobs not yet retried are retried.'} If more match when you confirm, nothing is
            done.
          </p>
          {kind === 'CANCEL' && (
            <div class="field">
              <label for="bulk-reason">Reason (written to each job's log)</label>
              <input id="bulk-reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
            </div>
          )}
          <div class="actions">
            <button type="submit" disabled={running}>
              {VERB[kind]} {dry.matchedCount} {dry.matchedCount === 1 ? 'job' : 'jobs'}
            </button>
            <button type="button" class="secondary" onClick={() => setDry(null)}>
              Keep them
            </button>
          </div>
        </form>
      )}
      {actionId && <BulkProgress id={actionId} />}
    </div>
  );
}

/** A running action's counts, read every half second until it ends; then its failures. */
function BulkProgress({ id }: { id: string }): JSX.Element {
  const [action, setAction] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const r = await request(PROGRESS, { id });
        if (stopped) return;
        setAction(r.bulkAction);
        if (r.bulkAction?.state === 'RUNNING') timer = setTimeout(() => void poll(), 500);
      } catch (err) {
        if (!stopped) setError(err instanceof Error ? err.message : String(err));
      }
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);
  if (error) return <ErrorBox message={error} />;
  if (!action) return <p class="muted">Starting…</p>;
  return (
    <div role="status" data-testid="bulk-progress" data-state={action.state}>
      <p>
        {action.state === 'RUNNING' ? 'Working: ' : action.state === 'DONE' ? 'Done: ' : 'Stopped: '}
        {action.processedCount} of {action.matchedCount} handled, {action.succeededCount} {action.kind === 'CANCEL' ? 'cancelled' : 'retried'}, {action.failedCount} not.
        {action.error ? ` ${action.error}` : ''}
      </p>
      {action.failures.length > 0 && (
        <details>
          <summary>Jobs not {action.kind === 'CANCEL' ? 'cancelled' : 'retried'} ({action.failedCount})</summary>
          <ul>
            {action.failures.map((f) => (
              <li key={f.jobId}>
                <Link to={`/jobs/${f.jobId}`}>{shortId(f.jobId)}</Link>: <code>{f.code}</code> {f.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
