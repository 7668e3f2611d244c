import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { op, USER_ERROR_FIELDS, type UserError } from '../api.js';
import { ErrorBox, Loading, Time, UserErrors, useTitle } from '../components.js';
import type { MaintenanceHistoryQuery, MaintenanceHistoryQueryVariables, MaintenanceSetMutation, MaintenanceSetMutationVariables } from '../generated/graphql.js';
import { useMutation, useQuery } from '../hooks.js';
import { MAINTENANCE_FIELDS, useSession, type Maintenance } from '../session.js';

/** Maintenance mode: the live status with the drained indicator, the switch (ADMIN) and the history. */

const HISTORY_PAGE = 20;
const MESSAGE_MAX = 1000;

const MAINTENANCE_HISTORY = op<MaintenanceHistoryQuery, MaintenanceHistoryQueryVariables>(/* GraphQL */ `
  query MaintenanceHistory($first: Int, $after: String) {
    maintenanceHistory(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        paused
        message
        setBy
        at
      }
    }
  }
`);

const MAINTENANCE_SET = op<MaintenanceSetMutation, MaintenanceSetMutationVariables>(/* GraphQL */ `
  mutation MaintenanceSet($input: MaintenanceSetInput!) {
    maintenanceSet(input: $input) {
      status {
        ...MaintenanceFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${MAINTENANCE_FIELDS}
  ${USER_ERROR_FIELDS}
`);

export function MaintenancePage(): JSX.Element {
  useTitle('Maintenance');
  const { maintenance, can } = useSession();
  // Cursors of the pages shown so far: [] is the newest page; "Older" pushes the endCursor.
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors[cursors.length - 1] ?? null;
  const history = useQuery(MAINTENANCE_HISTORY, { first: HISTORY_PAGE, after });

  const showNewest = () => {
    if (cursors.length) setCursors([]);
    else history.reload();
  };

  // A switch (ours, through setMaintenance, or anyone's, through the live status) changes `since`: show the newest history again.
  const since = maintenance?.since;
  const lastSince = useRef(since);
  useEffect(() => {
    if (lastSince.current === since) return;
    const first = lastSince.current === undefined;
    lastSince.current = since;
    if (!first) showNewest();
  }, [since]);

  return (
    <section class="ops-page">
      <h1>Maintenance</h1>
      {maintenance ? <StatusPanel m={maintenance} /> : <Loading />}

      <h2>Switch</h2>
      {can('ADMIN') ? (
        maintenance ? (
          <SwitchForm m={maintenance} />
        ) : null
      ) : (
        <p class="muted">Only an ADMIN can pause or resume the platform.</p>
      )}

      <h2>History</h2>
      <p class="muted">Every switch, newest first{history.data ? ` (${history.data.maintenanceHistory.totalCount} in all)` : ''}.</p>
      <ErrorBox message={history.error} />
      {history.data ? (
        <>
          <div class="table-wrap">
            <table data-testid="maintenance-history">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Switch</th>
                  <th scope="col">Message</th>
                  <th scope="col">Set by</th>
                </tr>
              </thead>
              <tbody>
                {history.data.maintenanceHistory.nodes.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <Time iso={e.at} />
                    </td>
                    <td>{e.paused ? <span class="badge wait">Paused</span> : <span class="badge ok">Resumed</span>}</td>
                    <td class="maint-message">{e.message}</td>
                    <td>{e.setBy}</td>
                  </tr>
                ))}
                {history.data.maintenanceHistory.nodes.length === 0 ? (
                  <tr>
                    <td colSpan={4} class="muted">
                      No entries.
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          <div class="actions">
            {cursors.length ? (
              <button type="button" class="secondary" onClick={() => setCursors([])}>
                Newest
              </button>
            ) : null}
            {history.data.maintenanceHistory.pageInfo.hasNextPage && history.data.maintenanceHistory.pageInfo.endCursor ? (
              <button type="button" class="secondary" disabled={history.loading} onClick={() => setCursors([...cursors, history.data!.maintenanceHistory.pageInfo.endCursor!])}>
                Older
              </button>
            ) : null}
          </div>
        </>
      ) : history.loading ? (
        <Loading />
      ) : null}
    </section>
  );
}

function StatusPanel({ m }: { m: Maintenance }): JSX.Element {
  const indicator = m.paused ? (m.drained ? 'Drained — safe to deploy' : `Draining: ${m.runningJobs} running`) : 'Not paused';
  return (
    <div class="grid2">
      <dl class="facts">
        <dt>State</dt>
        <dd>
          <strong data-testid="maintenance-state">{m.paused ? 'Paused' : 'Running'}</strong>
        </dd>
        <dt>Drained</dt>
        <dd>
          <span data-testid="drained" data-drained={m.paused && m.drained ? 'true' : 'false'} class={m.paused ? (m.drained ? 'drained yes' : 'drained') : 'muted'} role="status">
            {indicator}
          </span>
        </dd>
        <dt>Message</dt>
        <dd class="maint-message">{m.message || <span class="muted">—</span>}</dd>
        <dt>Set by</dt>
        <dd>{m.setBy}</dd>
        <dt>Since</dt>
        <dd>
          <Time iso={m.since} />
        </dd>
      </dl>
      <div class="cards">
        <div class="card">
          <div class="n">{m.runningJobs}</div>
          <div class="muted">running jobs</div>
        </div>
        <div class="card">
          <div class="n">{m.queuedJobs}</div>
          <div class="muted">queued jobs</div>
        </div>
      </div>
    </div>
  );
}

function SwitchForm({ m }: { m: Maintenance }): JSX.Element {
  const { setMaintenance } = useSession();
  const mutation = useMutation(MAINTENANCE_SET);
  const [message, setMessage] = useState('');
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const pausing = !m.paused;

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors([]);
    setDone(null);
    const res = await mutation.run({ input: { paused: pausing, message } });
    if (!res) return;
    const payload = res.maintenanceSet;
    setErrors(payload.userErrors);
    if (payload.status && !payload.userErrors.length) {
      setMaintenance(payload.status);
      setMessage('');
      setDone(payload.status.paused ? 'The platform is paused.' : 'The platform is running again.');
    }
  };

  return (
    <form class="maint-form" onSubmit={submit}>
      <p class="muted">
        {pausing
          ? 'Pausing stops workers from claiming queued jobs; running jobs go on to the end and jobs can still be submitted.'
          : 'Resuming lets workers claim queued jobs again.'}
      </p>
      <label for="maint-message">Message</label>
      <textarea
        id="maint-message"
        name="message"
        rows={3}
        required
        maxLength={MESSAGE_MAX}
        aria-describedby="maint-message-count"
        value={message}
        onInput={(e) => setMessage(e.currentTarget.value)}
        placeholder={pausing ? 'Why, e.g. "Deploying release 2.4"' : 'e.g. "Deploy done"'}
      />
      <small id="maint-message-count" class="muted">
        {message.length} / {MESSAGE_MAX} characters
      </small>
      <UserErrors errors={errors} />
      <ErrorBox message={mutation.error} />
      {done ? (
        <p class="success" role="status">
          {done}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit" class={pausing ? 'danger' : undefined} disabled={mutation.running}>
          {pausing ? 'Pause platform' : 'Resume platform'}
        </button>
      </div>
    </form>
  );
}
