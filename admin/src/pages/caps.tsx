import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { op, USER_ERROR_FIELDS, type UserError } from '../api.js';
import { ErrorBox, UserErrors } from '../components.js';
import type {
  CapDeleteMutation,
  CapDeleteMutationVariables,
  CapSetMutation,
  CapSetMutationVariables,
  JobOperation,
  QueueCapsQuery,
} from '../generated/graphql.js';
import { useMutation, useQuery } from '../hooks.js';
import { JOB_OPERATIONS } from '../jobFields.js';
import { useSession } from '../session.js';

/** Concurrency caps and rate limits on the queue page: how full each is (polled), set and removed by admins. */

const CAP_FIELDS = /* GraphQL */ `
  fragment CapFields on ConcurrencyCap {
    operation
    targetPrefix
    maxRunning
    maxStarts
    windowSeconds
    running
    startsInWindow
    updatedBy
    updatedAt
  }
`;

const CAPS = op<QueueCapsQuery>(/* GraphQL */ `
  query QueueCaps {
    queue {
      caps {
        ...CapFields
      }
    }
  }
  ${CAP_FIELDS}
`);

const CAP_SET = op<CapSetMutation, CapSetMutationVariables>(/* GraphQL */ `
  mutation CapSet($input: ConcurrencyCapSetInput!) {
    concurrencyCapSet(input: $input) {
      cap {
        ...CapFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${CAP_FIELDS}
  ${USER_ERROR_FIELDS}
`);

const CAP_DELETE = op<CapDeleteMutation, CapDeleteMutationVariables>(/* GraphQL */ `
  mutation CapDelete($input: ConcurrencyCapDeleteInput!) {
    concurrencyCapDelete(input: $input) {
      removed
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR_FIELDS}
`);

const POLL_MS = 3000;

const intOrNull = (s: string): number | null => (s.trim() === '' ? null : Number(s));

export function CapsSection(): JSX.Element {
  const { can } = useSession();
  const caps = useQuery(CAPS);
  useEffect(() => {
    const t = setInterval(caps.reload, POLL_MS);
    return () => clearInterval(t);
  }, [caps.reload]);
  const list = caps.data?.queue.caps ?? [];
  return (
    <div class="caps" data-testid="queue-caps">
      <h3>Concurrency caps and rate limits</h3>
      <p class="muted">Enforced in every claim: a job of an operation at its cap stays queued while other operations' jobs are handed out.</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Running</th>
              <th scope="col">Starts in window</th>
              <th scope="col">Set by</th>
              {can('ADMIN') ? <th scope="col" /> : null}
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={`${c.operation}|${c.targetPrefix ?? ''}`}>
                <td>
                  {c.operation}
                  {c.targetPrefix ? <span class="muted"> (targets {c.targetPrefix}…)</span> : null}
                </td>
                <td>
                  {c.maxRunning == null ? (
                    <span class="muted">{c.running} (no cap)</span>
                  ) : (
                    <Meter n={c.running} of={c.maxRunning} label={`${c.operation} running`} />
                  )}
                </td>
                <td>
                  {c.maxStarts == null ? (
                    <span class="muted">no rate limit</span>
                  ) : (
                    <>
                      <Meter n={c.startsInWindow} of={c.maxStarts} label={`${c.operation} starts`} /> <span class="muted">per {c.windowSeconds} s</span>
                    </>
                  )}
                </td>
                <td>{c.updatedBy}</td>
                {can('ADMIN') ? (
                  <td>
                    <RemoveCap operation={c.operation} targetPrefix={c.targetPrefix} onDone={caps.reload} />
                  </td>
                ) : null}
              </tr>
            ))}
            {list.length === 0 ? (
              <tr>
                <td colSpan={5} class="muted">
                  No operation is capped.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <ErrorBox message={caps.error} />
      {can('ADMIN') ? <CapForm onDone={caps.reload} /> : null}
    </div>
  );
}

function Meter({ n, of, label }: { n: number; of: number; label: string }): JSX.Element {
  return (
    <span class="progress">
      <meter min={0} max={of} value={n} aria-label={label} /> {n} / {of}
    </span>
  );
}

function RemoveCap({ operation, targetPrefix, onDone }: { operation: JobOperation; targetPrefix: string | null; onDone: () => void }): JSX.Element {
  const del = useMutation(CAP_DELETE);
  return (
    <button
      type="button"
      class="link"
      disabled={del.running}
      onClick={async () => {
        if (!confirm(`Remove the cap on ${operation}${targetPrefix ? ` (targets ${targetPrefix}…)` : ''}?`)) return;
        await del.run({ input: { operation, targetPrefix } });
        onDone();
      }}
    >
      Remove
    </button>
  );
}

function CapForm({ onDone }: { onDone: () => void }): JSX.Element {
  const set = useMutation(CAP_SET);
  const [operation, setOperation] = useState<JobOperation>('ADD');
  const [targetPrefix, setTargetPrefix] = useState('');
  const [maxRunning, setMaxRunning] = useState('');
  const [maxStarts, setMaxStarts] = useState('');
  const [windowSeconds, setWindowSeconds] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors([]);
    setNotice(null);
    const res = await set.run({ input: { operation, targetPrefix: targetPrefix.trim() || null, maxRunning: intOrNull(maxRunning), maxStarts: intOrNull(maxStarts), windowSeconds: intOrNull(windowSeconds) } });
    if (!res) return;
    setErrors(res.concurrencyCapSet.userErrors);
    if (res.concurrencyCapSet.cap) {
      setNotice(`${operation} capped.`);
      onDone();
    }
  };
  return (
    <form class="filters" onSubmit={submit} aria-label="Set a cap">
      <div class="field">
        <label for="cap-op">Operation</label>
        <select id="cap-op" value={operation} onChange={(e) => setOperation(e.currentTarget.value as JobOperation)}>
          {JOB_OPERATIONS.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="cap-prefix">Targets starting with (optional)</label>
        <input id="cap-prefix" value={targetPrefix} onInput={(e) => setTargetPrefix(e.currentTarget.value.toUpperCase())} />
      </div>
      <div class="field">
        <label for="cap-running">Most running</label>
        <input id="cap-running" type="number" min={1} value={maxRunning} onInput={(e) => setMaxRunning(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="cap-starts">Most starts</label>
        <input id="cap-starts" type="number" min={1} value={maxStarts} onInput={(e) => setMaxStarts(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="cap-window">per seconds</label>
        <input id="cap-window" type="number" min={1} value={windowSeconds} onInput={(e) => setWindowSeconds(e.currentTarget.value)} />
      </div>
      <div class="actions">
        <button type="submit" disabled={set.running}>
          Set cap
        </button>
      </div>
      <UserErrors errors={errors} />
      <ErrorBox message={set.error} />
      {notice ? (
        <p class="success" role="status">
          {notice}
        </p>
      ) : null}
    </form>
  );
}
