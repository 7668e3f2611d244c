import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { op, request, USER_ERROR_FIELDS, type UserError } from '../api.js';
import { ErrorBox, Loading, StatusBadge, Time, UserErrors, useTitle } from '../components.js';
import type {
  JobOperation,
  ReleaseStatus,
  ScheduleCreateMutation,
  ScheduleCreateMutationVariables,
  ScheduleDeleteMutation,
  ScheduleDeleteMutationVariables,
  ScheduleMaintenancePolicy,
  ScheduleMissedPolicy,
  ScheduleOverlapPolicy,
  SchedulePauseMutation,
  SchedulePauseMutationVariables,
  SchedulePreviewQuery,
  SchedulePreviewQueryVariables,
  ScheduleResumeMutation,
  ScheduleResumeMutationVariables,
  ScheduleRowFieldsFragment,
  SchedulesListQuery,
} from '../generated/graphql.js';
import { useMutation, useQuery } from '../hooks.js';
import { JOB_OPERATIONS, RELEASE_STATUSES } from '../jobFields.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

/** Cron schedules: the list with next and last runs (polled), create with a preview of the next times, pause/resume, delete. */

const ROW = /* GraphQL */ `
  fragment ScheduleRowFields on Schedule {
    id
    name
    cron
    timeZone
    operation
    target
    overlap
    missedRuns
    maintenance
    paused
    deferredAt
    nextRuns(count: 3)
    lastRuns {
      scheduledAt
      outcome
      message
      job {
        id
        status
      }
    }
  }
`;

const LIST = op<SchedulesListQuery>(/* GraphQL */ `
  query SchedulesList {
    schedules(first: 100) {
      totalCount
      nodes {
        ...ScheduleRowFields
      }
    }
  }
  ${ROW}
`);

const PREVIEW = op<SchedulePreviewQuery, SchedulePreviewQueryVariables>(/* GraphQL */ `
  query SchedulePreview($cron: String!, $timeZone: String) {
    scheduleTimesPreview(cron: $cron, timeZone: $timeZone, count: 5) {
      times
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR_FIELDS}
`);

const CREATE = op<ScheduleCreateMutation, ScheduleCreateMutationVariables>(/* GraphQL */ `
  mutation ScheduleCreate($input: ScheduleCreateInput!) {
    scheduleCreate(input: $input) {
      schedule {
        ...ScheduleRowFields
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${ROW}
  ${USER_ERROR_FIELDS}
`);

const PAUSE = op<SchedulePauseMutation, SchedulePauseMutationVariables>(/* GraphQL */ `
  mutation SchedulePause($input: ScheduleIdInput!) {
    schedulePause(input: $input) {
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR_FIELDS}
`);

const RESUME = op<ScheduleResumeMutation, ScheduleResumeMutationVariables>(/* GraphQL */ `
  mutation ScheduleResume($input: ScheduleIdInput!) {
    scheduleResume(input: $input) {
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR_FIELDS}
`);

const DELETE = op<ScheduleDeleteMutation, ScheduleDeleteMutationVariables>(/* GraphQL */ `
  mutation ScheduleDelete($input: ScheduleIdInput!) {
    scheduleDelete(input: $input) {
      removed
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR_FIELDS}
`);

const POLL_MS = 5000;

export function SchedulesPage(): JSX.Element {
  useTitle('Schedules');
  const { can } = useSession();
  const list = useQuery(LIST);
  useEffect(() => {
    const t = setInterval(list.reload, POLL_MS);
    return () => clearInterval(t);
  }, [list.reload]);
  return (
    <section>
      <h1>Schedules</h1>
      <p class="muted">Each scheduled time creates one job, on exactly one instance.</p>
      {can('ADMIN') ? <CreateSchedule onDone={list.reload} /> : null}
      {!list.data ? (
        list.error ? <ErrorBox message={list.error} /> : <Loading />
      ) : (
        <div class="schedules" data-testid="schedules">
          {list.data.schedules.nodes.map((s) => (
            <ScheduleCard key={s.id} s={s} admin={can('ADMIN')} onDone={list.reload} />
          ))}
          {list.data.schedules.nodes.length === 0 ? <p class="muted">No schedule yet.</p> : null}
        </div>
      )}
    </section>
  );
}

function ScheduleCard({ s, admin, onDone }: { s: ScheduleRowFieldsFragment; admin: boolean; onDone: () => void }): JSX.Element {
  const pause = useMutation(PAUSE);
  const resume = useMutation(RESUME);
  const del = useMutation(DELETE);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const act = async (which: 'pause' | 'resume' | 'delete') => {
    if (which === 'delete' && !confirm(`Delete the schedule ${s.name}? Its jobs stay.`)) return;
    const input = { id: s.id };
    const r = which === 'pause' ? (await pause.run({ input }))?.schedulePause : which === 'resume' ? (await resume.run({ input }))?.scheduleResume : (await del.run({ input }))?.scheduleDelete;
    setErrors(r?.userErrors ?? []);
    onDone();
  };
  return (
    <article class="schedule" data-testid="schedule">
      <h2>
        {s.name} {s.paused ? <span class="badge wait">paused</span> : null}
      </h2>
      <p>
        <code>{s.cron}</code> in {s.timeZone}: {s.operation} on <strong>{s.target}</strong>.{' '}
        <span class="muted">
          Overlap {s.overlap}, missed runs {s.missedRuns}, maintenance {s.maintenance}.
        </span>
      </p>
      <p>
        Next: {s.paused ? <span class="muted">none while paused</span> : s.nextRuns.map((t) => <Time key={t} iso={t} />).reduce<Array<JSX.Element | string>>((acc, el, i) => (i ? [...acc, ', ', el] : [el]), [])}
        {s.deferredAt ? (
          <>
            {' '}
            · deferred by maintenance: <Time iso={s.deferredAt} />
          </>
        ) : null}
      </p>
      {admin ? (
        <p class="actions">
          {s.paused ? (
            <button type="button" disabled={resume.running} onClick={() => act('resume')}>
              Resume
            </button>
          ) : (
            <button type="button" class="secondary" disabled={pause.running} onClick={() => act('pause')}>
              Pause
            </button>
          )}
          <button type="button" class="danger" disabled={del.running} onClick={() => act('delete')}>
            Delete
          </button>
        </p>
      ) : null}
      <UserErrors errors={errors} />
      <ErrorBox message={pause.error ?? resume.error ?? del.error} />
      <details>
        <summary>Last runs ({s.lastRuns.length})</summary>
        <table>
          <thead>
            <tr>
              <th scope="col">Scheduled</th>
              <th scope="col">Outcome</th>
              <th scope="col">Job</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {s.lastRuns.map((r) => (
              <tr key={r.scheduledAt + r.outcome}>
                <td>
                  <Time iso={r.scheduledAt} />
                </td>
                <td>{r.outcome}</td>
                <td>
                  {r.job ? (
                    <>
                      <Link to={`/jobs/${r.job.id}`} class="mono">
                        {r.job.id}
                      </Link>{' '}
                      <StatusBadge status={r.job.status} />
                    </>
                  ) : null}
                </td>
                <td class="wrap">{r.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </article>
  );
}

function CreateSchedule({ onDone }: { onDone: () => void }): JSX.Element {
  const create = useMutation(CREATE);
  const [name, setName] = useState('');
  const [cron, setCron] = useState('0 2 * * *');
  const [timeZone, setTimeZone] = useState(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  const [operation, setOperation] = useState<JobOperation>('PATCH_METADATA');
  const [target, setTarget] = useState('');
  const [description, setDescription] = useState('');
  const [releaseStatus, setReleaseStatus] = useState<ReleaseStatus>('DRAFT');
  const [overlap, setOverlap] = useState<ScheduleOverlapPolicy>('SKIP');
  const [missedRuns, setMissedRuns] = useState<ScheduleMissedPolicy>('SKIP');
  const [maintenance, setMaintenance] = useState<ScheduleMaintenancePolicy>('SKIP');
  const [preview, setPreview] = useState<{ times: string[]; errors: readonly UserError[] } | null>(null);
  const [errors, setErrors] = useState<readonly UserError[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  // The preview follows the expression as it is typed (a short pause first).
  useEffect(() => {
    const ctl = new AbortController();
    const t = setTimeout(() => {
      request(PREVIEW, { cron, timeZone }, ctl.signal).then(
        (d) => setPreview({ times: d.scheduleTimesPreview.times, errors: d.scheduleTimesPreview.userErrors }),
        () => undefined,
      );
    }, 300);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [cron, timeZone]);

  const submit = async (e: Event) => {
    e.preventDefault();
    setErrors([]);
    setNotice(null);
    const job = {
      target: target.trim(),
      operation,
      ...(description.trim() ? { description: description.trim() } : {}),
      ...(operation === 'SET_STATUS' ? { releaseStatus } : {}),
    };
    const res = await create.run({ input: { name, cron, timeZone, job, overlap, missedRuns, maintenance } });
    if (!res) return;
    setErrors(res.scheduleCreate.userErrors);
    if (res.scheduleCreate.schedule) {
      setNotice(`Schedule ${res.scheduleCreate.schedule.name} created.`);
      setName('');
      onDone();
    }
  };

  return (
    <form class="filters" onSubmit={submit} aria-label="Create a schedule" data-testid="schedule-create">
      <div class="field">
        <label for="s-name">Name</label>
        <input id="s-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="s-cron">Cron</label>
        <input id="s-cron" required value={cron} onInput={(e) => setCron(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="s-tz">Time zone</label>
        <input id="s-tz" value={timeZone} onInput={(e) => setTimeZone(e.currentTarget.value)} />
      </div>
      <div class="field">
        <label for="s-op">Operation</label>
        <select id="s-op" value={operation} onChange={(e) => setOperation(e.currentTarget.value as JobOperation)}>
          {JOB_OPERATIONS.filter((o) => o !== 'BUMP').map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="s-target">Target</label>
        <input id="s-target" required value={target} onInput={(e) => setTarget(e.currentTarget.value.toUpperCase())} />
      </div>
      {operation === 'SET_STATUS' ? (
        <div class="field">
          <label for="s-rs">Release status</label>
          <select id="s-rs" value={releaseStatus} onChange={(e) => setReleaseStatus(e.currentTarget.value as ReleaseStatus)}>
            {RELEASE_STATUSES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div class="field">
        <label for="s-desc">Description{operation === 'REMOVE' ? '' : ' (optional)'}</label>
        <input id="s-desc" value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      </div>
      <Policy id="s-overlap" label="Overlap" value={overlap} options={['SKIP', 'ALLOW']} onChange={setOverlap} />
      <Policy id="s-missed" label="Missed runs" value={missedRuns} options={['SKIP', 'RUN_ONCE']} onChange={setMissedRuns} />
      <Policy id="s-maint" label="Maintenance" value={maintenance} options={['SKIP', 'DEFER']} onChange={setMaintenance} />
      <div class="actions">
        <button type="submit" disabled={create.running}>
          Create schedule
        </button>
      </div>
      <div class="preview" data-testid="schedule-preview" aria-live="polite">
        {preview?.errors.length ? (
          <UserErrors errors={preview.errors} />
        ) : preview ? (
          <>
            Next runs:{' '}
            {preview.times.map((t, i) => (
              <span key={t}>
                {i ? ', ' : ''}
                <time dateTime={t}>{new Date(t).toLocaleString()}</time>
              </span>
            ))}
          </>
        ) : null}
      </div>
      <UserErrors errors={errors} />
      <ErrorBox message={create.error} />
      {notice ? (
        <p class="success" role="status">
          {notice}
        </p>
      ) : null}
    </form>
  );
}

function Policy<T extends string>({ id, label, value, options, onChange }: { id: string; label: string; value: T; options: readonly T[]; onChange: (v: T) => void }): JSX.Element {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as T)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}
