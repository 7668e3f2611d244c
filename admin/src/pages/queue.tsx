import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { op, USER_ERROR_FIELDS, type UserError } from '../api.js';
import { ErrorBox, Loading, Progress, StatusBadge, Time, UserErrors, useTitle } from '../components.js';
import { RetentionSection } from '../retention.js';
import type {
  QueueClearMutation,
  QueueClearMutationVariables,
  QueueOverviewQuery,
  QueuePageFieldsFragment,
  QueuePauseMutation,
  QueuePauseMutationVariables,
  QueueResumeMutation,
  QueueResumeMutationVariables,
  QueueStatsLiveSubscription,
  WorkerEventsLiveSubscription,
  WorkerRemoveMutation,
  WorkerRemoveMutationVariables,
  WorkerRowFieldsFragment,
  WorkerSetDisabledMutation,
  WorkerSetDisabledMutationVariables,
  WorkersListQuery,
  WorkersListQueryVariables,
} from '../generated/graphql.js';
import { useMutation, useQuery, useSubscription } from '../hooks.js';
import { shortId } from '../jobFields.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { CapsSection } from './caps.js';

/** The queue (switches, counts, next jobs; live) and the workers (live for operators, polled otherwise). */

const WORKERS_PAGE = 50;
/** Below OPERATOR there are no worker events, so the list is polled. */
const POLL_MS = 5000;

const QUEUE_FIELDS = /* GraphQL */ `
  fragment QueuePageFields on Queue {
    paused
    maintenance
    counts {
      status
      count
    }
    ready
    delayed
    leased
    oldestWaitingSeconds
    jobs(first: 10) {
      totalCount
      nodes {
        id
        target {
          name
        }
        operation
        priority
        createdAt
      }
    }
  }
`;

const QUEUE_OVERVIEW = op<QueueOverviewQuery>(/* GraphQL */ `
  query QueueOverview {
    queue {
      ...QueuePageFields
    }
  }
  ${QUEUE_FIELDS}
`);

const QUEUE_STATS_LIVE = op<QueueStatsLiveSubscription>(/* GraphQL */ `
  subscription QueueStatsLive {
    queueStatsChanged {
      ...QueuePageFields
    }
  }
  ${QUEUE_FIELDS}
`);

const QUEUE_PAUSE = op<QueuePauseMutation, QueuePauseMutationVariables>(/* GraphQL */ `
  mutation QueuePause($input: QueuePauseInput!) {
    queuePause(input: $input) {
      queue {
        ...QueuePageFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${QUEUE_FIELDS}
  ${USER_ERROR_FIELDS}
`);

const QUEUE_RESUME = op<QueueResumeMutation, QueueResumeMutationVariables>(/* GraphQL */ `
  mutation QueueResume($input: QueueResumeInput!) {
    queueResume(input: $input) {
      queue {
        ...QueuePageFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${QUEUE_FIELDS}
  ${USER_ERROR_FIELDS}
`);

const QUEUE_CLEAR = op<QueueClearMutation, QueueClearMutationVariables>(/* GraphQL */ `
  mutation QueueClear($input: QueueClearInput!) {
    queueClear(input: $input) {
      cancelledCount
      queue {
        ...QueuePageFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${QUEUE_FIELDS}
  ${USER_ERROR_FIELDS}
`);

const WORKER_FIELDS = /* GraphQL */ `
  fragment WorkerRowFields on Worker {
    id
    workerId
    alive
    status
    hostname
    version
    operations
    disabled
    lastHeartbeatAt
    currentJob {
      id
      status
    }
    progress
  }
`;

const WORKERS_LIST = op<WorkersListQuery, WorkersListQueryVariables>(/* GraphQL */ `
  query WorkersList($alive: Boolean, $first: Int) {
    workers(alive: $alive, first: $first) {
      totalCount
      nodes {
        ...WorkerRowFields
      }
    }
  }
  ${WORKER_FIELDS}
`);

const WORKER_EVENTS_LIVE = op<WorkerEventsLiveSubscription>(/* GraphQL */ `
  subscription WorkerEventsLive {
    workerEvents {
      kind
      workerId
      worker {
        ...WorkerRowFields
      }
    }
  }
  ${WORKER_FIELDS}
`);

const WORKER_SET_DISABLED = op<WorkerSetDisabledMutation, WorkerSetDisabledMutationVariables>(/* GraphQL */ `
  mutation WorkerSetDisabled($input: WorkerSetDisabledInput!) {
    workerSetDisabled(input: $input) {
      worker {
        ...WorkerRowFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${WORKER_FIELDS}
  ${USER_ERROR_FIELDS}
`);

const WORKER_REMOVE = op<WorkerRemoveMutation, WorkerRemoveMutationVariables>(/* GraphQL */ `
  mutation WorkerRemove($input: WorkerRemoveInput!) {
    workerRemove(input: $input) {
      removed
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR_FIELDS}
`);

/** "3 min 20 s", "2 h 5 min", "1 d 3 h". */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

export function QueuePage(): JSX.Element {
  useTitle('Queue & workers');
  return (
    <section class="ops-page">
      <h1>Queue &amp; workers</h1>
      <QueueSection />
      <RetentionSection />
      <WorkersSection />
    </section>
  );
}

type QueueView = QueuePageFieldsFragment;

function QueueSection(): JSX.Element {
  const { can } = useSession();
  const overview = useQuery(QUEUE_OVERVIEW);
  const [live, setLive] = useState<QueueView | null>(null);
  const liveError = useSubscription(QUEUE_STATS_LIVE, undefined, (d) => setLive(d.queueStatsChanged));
  // The query first; every later view (live event or our own switch) replaces it.
  const q = live ?? overview.data?.queue ?? null;

  return (
    <section aria-labelledby="queue-h">
      <h2 id="queue-h">Queue</h2>
      <ErrorBox message={overview.error} />
      {liveError ? <p class="muted">Live updates interrupted: {liveError}</p> : null}
      {!q ? (
        overview.loading ? <Loading /> : null
      ) : (
        <>
          <dl class="facts">
            <dt>Queue</dt>
            <dd>
              <strong data-testid="queue-paused">{q.paused ? 'Paused' : 'Running'}</strong>
              {q.paused ? <span class="muted"> (no job is claimed; running ones go on)</span> : null}
            </dd>
            <dt>Maintenance</dt>
            <dd>{q.maintenance ? <strong>On (no job is claimed)</strong> : 'Off'}</dd>
            <dt>Oldest waiting</dt>
            <dd>{q.oldestWaitingSeconds == null ? <span class="muted">nothing waits</span> : humanDuration(q.oldestWaitingSeconds)}</dd>
          </dl>

          <h3>Claims</h3>
          <div class="cards">
            <Card n={q.ready} label="ready" />
            <Card n={q.delayed} label="delayed" />
            <Card n={q.leased} label="leased" />
          </div>

          <h3>Jobs by status</h3>
          <div class="cards" data-testid="queue-counts">
            {q.counts.map((c) => (
              <div class="card" key={c.status}>
                <div class="n">{c.count}</div>
                <StatusBadge status={c.status} />
              </div>
            ))}
          </div>

          {can('OPERATOR') ? <QueueControls paused={q.paused} onQueue={setLive} /> : null}

          <CapsSection />

          <h3>Next waiting jobs</h3>
          <p class="muted">
            In the order workers will get them
            {q.jobs.totalCount > q.jobs.nodes.length ? ` (first ${q.jobs.nodes.length} of ${q.jobs.totalCount})` : ''}.
          </p>
          <div class="table-wrap">
            <table data-testid="queue-jobs">
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Target</th>
                  <th scope="col">Operation</th>
                  <th scope="col">Priority</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {q.jobs.nodes.map((j) => (
                  <tr key={j.id}>
                    <td>
                      <Link to={`/jobs/${j.id}`} class="mono">
                        {j.id}
                      </Link>
                    </td>
                    <td>{j.target.name}</td>
                    <td>{j.operation}</td>
                    <td>{j.priority}</td>
                    <td>
                      <Time iso={j.createdAt} />
                    </td>
                  </tr>
                ))}
                {q.jobs.nodes.length === 0 ? (
                  <tr>
                    <td colSpan={5} class="muted">
                      No job is waiting.
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function Card({ n, label }: { n: number; label: string }): JSX.Element {
  return (
    <div class="card">
      <div class="n">{n}</div>
      <div class="muted">{label}</div>
    </div>
  );
}

function QueueControls({ paused, onQueue }: { paused: boolean; onQueue: (q: QueueView) => void }): JSX.Element {
  const pause = useMutation(QUEUE_PAUSE);
  const resume = useMutation(QUEUE_RESUME);
  const clear = useMutation(QUEUE_CLEAR);
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const running = pause.running || resume.running || clear.running;
  const input = { reason: reason.trim() || null };

  const toggle = async () => {
    setErrors([]);
    setNotice(null);
    const payload = paused ? (await resume.run({ input }))?.queueResume : (await pause.run({ input }))?.queuePause;
    if (!payload) return;
    setErrors(payload.userErrors);
    if (payload.queue) onQueue(payload.queue);
    if (!payload.userErrors.length) {
      setNotice(paused ? 'The queue was resumed.' : 'The queue was paused.');
      setReason('');
    }
  };

  const clearQueue = async () => {
    if (!confirm('Cancel every waiting job? Their history is kept, but they will not run.')) return;
    setErrors([]);
    setNotice(null);
    const res = await clear.run({ input });
    if (!res) return;
    setErrors(res.queueClear.userErrors);
    if (res.queueClear.queue) onQueue(res.queueClear.queue);
    if (!res.queueClear.userErrors.length) {
      const n = res.queueClear.cancelledCount;
      setNotice(`${n} ${n === 1 ? 'job' : 'jobs'} cancelled`);
      setReason('');
    }
  };

  return (
    <div class="queue-controls">
      <h3>Switches</h3>
      <div class="filters">
        <div class="field">
          <label for="queue-reason">Reason (optional)</label>
          <input id="queue-reason" type="text" maxLength={1000} value={reason} onInput={(e) => setReason(e.currentTarget.value)} placeholder="Recorded in the log" />
        </div>
        <div class="actions">
          <button type="button" class={paused ? undefined : 'secondary'} disabled={running} onClick={toggle}>
            {paused ? 'Resume queue' : 'Pause queue'}
          </button>
          <button type="button" class="danger" disabled={running} onClick={clearQueue}>
            Clear queue
          </button>
        </div>
      </div>
      <UserErrors errors={errors} />
      <ErrorBox message={pause.error ?? resume.error ?? clear.error} />
      {notice ? (
        <p class="success" role="status" data-testid="queue-notice">
          {notice}
        </p>
      ) : null}
    </div>
  );
}

type WorkerRow = WorkerRowFieldsFragment;
type AliveFilter = 'any' | 'alive' | 'expired';

function byWorkerId(a: WorkerRow, b: WorkerRow): number {
  return a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0;
}

function WorkersSection(): JSX.Element {
  const { can } = useSession();
  const operator = can('OPERATOR');
  const [filter, setFilter] = useState<AliveFilter>('any');
  const alive = filter === 'any' ? null : filter === 'alive';
  const workers = useQuery(WORKERS_LIST, { alive, first: WORKERS_PAGE });
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  // Polling only without the live events (below OPERATOR); they include expiries.
  useEffect(() => {
    if (operator) return undefined;
    const t = setInterval(workers.reload, POLL_MS);
    return () => clearInterval(t);
  }, [operator, workers.reload]);

  const merge = (workerId: string, worker: WorkerRow | null) =>
    workers.setData((old) => {
      if (!old) return old;
      // An expiry told just as a new heartbeat arrived can come after it: the older view does not win.
      const current = old.workers.nodes.find((w) => w.workerId === workerId);
      if (worker && current && Date.parse(current.lastHeartbeatAt) > Date.parse(worker.lastHeartbeatAt)) return old;
      const rest = old.workers.nodes.filter((w) => w.workerId !== workerId);
      const keep = worker && (alive == null || worker.alive === alive);
      const nodes = keep ? [...rest, worker].sort(byWorkerId) : rest;
      const had = rest.length !== old.workers.nodes.length;
      const totalCount = old.workers.totalCount + (keep && !had ? 1 : !keep && had ? -1 : 0);
      return { ...old, workers: { ...old.workers, totalCount, nodes } };
    });

  const liveError = useSubscription(
    WORKER_EVENTS_LIVE,
    undefined,
    (d) => {
      const e = d.workerEvents;
      merge(e.workerId, e.kind === 'REMOVED' ? null : e.worker);
    },
    { skip: !operator },
  );

  const setDisabled = useMutation(WORKER_SET_DISABLED);
  const remove = useMutation(WORKER_REMOVE);

  const toggle = async (w: WorkerRow) => {
    setErrors([]);
    setNotice(null);
    const res = await setDisabled.run({ input: { workerId: w.workerId, disabled: !w.disabled } });
    if (!res) return;
    setErrors(res.workerSetDisabled.userErrors);
    const updated = res.workerSetDisabled.worker;
    if (updated) {
      merge(updated.workerId, updated);
      setNotice(`${updated.workerId} ${updated.disabled ? 'disabled: it gets no new jobs' : 'enabled'}.`);
    }
  };

  const removeWorker = async (w: WorkerRow) => {
    if (!confirm(`Remove worker ${w.workerId}? It registers again with its next heartbeat.`)) return;
    setErrors([]);
    setNotice(null);
    const res = await remove.run({ input: { workerId: w.workerId } });
    if (!res) return;
    setErrors(res.workerRemove.userErrors);
    if (res.workerRemove.removed) {
      merge(w.workerId, null);
      setNotice(`${w.workerId} removed.`);
    }
  };

  const list = workers.data?.workers;
  const busy = setDisabled.running || remove.running;

  return (
    <section aria-labelledby="workers-h">
      <h2 id="workers-h">Workers</h2>
      <div class="filters">
        <div class="field">
          <label for="workers-alive">Show</label>
          <select id="workers-alive" value={filter} onChange={(e) => setFilter(e.currentTarget.value as AliveFilter)}>
            <option value="any">Any</option>
            <option value="alive">Alive</option>
            <option value="expired">Expired</option>
          </select>
        </div>
        <p class="muted workers-live">
          {operator ? (liveError ? `Live updates interrupted: ${liveError}` : 'Updated live.') : 'Refreshed every 5 seconds.'}
          {list ? ` ${list.totalCount} ${list.totalCount === 1 ? 'worker' : 'workers'}${list.totalCount > list.nodes.length ? `, first ${list.nodes.length} shown` : ''}.` : ''}
        </p>
      </div>
      <ErrorBox message={workers.error} />
      <UserErrors errors={errors} />
      <ErrorBox message={setDisabled.error ?? remove.error} />
      {notice ? (
        <p class="success" role="status">
          {notice}
        </p>
      ) : null}
      {!list ? (
        workers.loading ? <Loading /> : null
      ) : (
        <div class="table-wrap">
          <table data-testid="workers-table">
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Alive</th>
                <th scope="col">Status</th>
                <th scope="col">Host</th>
                <th scope="col">Version</th>
                <th scope="col">Operations</th>
                <th scope="col">Disabled</th>
                <th scope="col">Last heartbeat</th>
                <th scope="col">Current job</th>
                <th scope="col">Progress</th>
                {operator ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {list.nodes.map((w) => (
                <tr key={w.workerId} data-worker-id={w.workerId}>
                  <td class="mono">{w.workerId}</td>
                  <td>{w.alive ? <span class="badge ok">Alive</span> : <span class="badge bad">Expired</span>}</td>
                  <td>{w.status ?? <span class="muted">—</span>}</td>
                  <td>{w.hostname ?? <span class="muted">—</span>}</td>
                  <td>{w.version ?? <span class="muted">—</span>}</td>
                  <td class="ops">{w.operations.length ? w.operations.join(', ') : <span class="muted">—</span>}</td>
                  <td>{w.disabled ? <strong>Yes</strong> : 'No'}</td>
                  <td>
                    <Time iso={w.lastHeartbeatAt} />
                  </td>
                  <td>
                    {w.currentJob ? (
                      <Link to={`/jobs/${w.currentJob.id}`} class="mono" title={`${w.currentJob.id} (${w.currentJob.status})`} aria-label={`Job ${w.currentJob.id}`}>
                        {shortId(w.currentJob.id)}
                      </Link>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                  <td>
                    <Progress value={w.progress} />
                  </td>
                  {operator ? (
                    <td>
                      <div class="row-actions">
                        <button type="button" class="secondary" disabled={busy} onClick={() => toggle(w)} aria-label={`${w.disabled ? 'Enable' : 'Disable'} ${w.workerId}`}>
                          {w.disabled ? 'Enable' : 'Disable'}
                        </button>
                        <button type="button" class="danger" disabled={busy} onClick={() => removeWorker(w)} aria-label={`Remove ${w.workerId}`}>
                          Remove
                        </button>
                      </div>
                    </td>
                  ) : null}
                </tr>
              ))}
              {list.nodes.length === 0 ? (
                <tr>
                  <td colSpan={operator ? 11 : 10} class="muted">
                    No worker{filter === 'any' ? ' has registered' : ' matches'}.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
