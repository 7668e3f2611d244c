import type { JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { op } from '../api.js';
import { BulkActions } from '../bulk.js';
import { ErrorBox, LiveIndicator, Loading, Progress, StatusBadge, Time, useTitle } from '../components.js';
import type { JobFilter, JobOrder, JobOrderField, JobsPageEventsSubscription, JobsPageEventsSubscriptionVariables, JobsPageQuery, JobsPageQueryVariables, JobStatus, SortDirection } from '../generated/graphql.js';
import { useQuery, useSubscription } from '../hooks.js';
import { JOB_OPERATIONS, JOB_ROW, JOB_STATUSES, ORDER_FIELDS, SORT_DIRECTIONS, TERMINAL_STATUSES, isJobOperation, isJobStatus, isoToLocalInput, localInputToIso, shortId } from '../jobFields.js';
import { Link, navigate, useLocation } from '../router.js';
import { useSession } from '../session.js';

const PAGE_SIZE = 25;

const JOBS = op<JobsPageQuery, JobsPageQueryVariables>(/* GraphQL */ `
  query JobsPage($filter: JobFilter, $orderBy: JobOrder, $first: Int, $after: String) {
    jobs(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...JobRow
      }
    }
  }
  ${JOB_ROW}
`);

const JOB_EVENTS = op<JobsPageEventsSubscription, JobsPageEventsSubscriptionVariables>(/* GraphQL */ `
  subscription JobsPageEvents($filter: JobFilter) {
    jobEvents(filter: $filter) {
      kind
      previousStatus
      at
      job {
        ...JobRow
      }
    }
  }
  ${JOB_ROW}
`);

type Row = JobsPageQuery['jobs']['nodes'][number];

/** The filter and order as the URL query string carries them (so a view can be shared, and back/forward work). */
interface ListView {
  filter: JobFilter;
  order: { field: JobOrderField; direction: SortDirection };
}

function fromQuery(q: URLSearchParams): ListView {
  const filter: JobFilter = {};
  const statuses = q.getAll('status').filter(isJobStatus);
  if (statuses.length) filter.statuses = statuses;
  const operations = q.getAll('operation').filter(isJobOperation);
  if (operations.length) filter.operations = operations;
  const target = q.get('target')?.trim();
  if (target) filter.target = target;
  const createdBy = q.get('createdBy')?.trim();
  if (createdBy) filter.createdBy = createdBy;
  const active = q.get('active');
  if (active === 'true' || active === 'false') filter.active = active === 'true';
  const deadLetter = q.get('deadLetter');
  if (deadLetter === 'true' || deadLetter === 'false') filter.deadLetter = deadLetter === 'true';
  const failureReason = q.get('failureReason');
  if (failureReason) filter.failureReason = failureReason;
  for (const key of ['createdAfter', 'createdBefore'] as const) {
    const v = q.get(key);
    if (v && !Number.isNaN(new Date(v).getTime())) filter[key] = new Date(v).toISOString();
  }
  const field = q.get('orderBy');
  const direction = q.get('direction');
  return {
    filter,
    order: {
      field: (ORDER_FIELDS as readonly string[]).includes(field ?? '') ? (field as JobOrderField) : 'CREATED_AT',
      direction: direction === 'ASC' ? 'ASC' : 'DESC',
    },
  };
}

/** What the form holds before it is applied (text inputs apply on submit). */
interface Draft {
  statuses: string[];
  operations: string[];
  target: string;
  createdBy: string;
  active: '' | 'true' | 'false';
  deadLetter: '' | 'true' | 'false';
  failureReason: string;
  createdAfter: string;
  createdBefore: string;
  orderBy: string;
  direction: string;
}

function toDraft(v: ListView): Draft {
  const f = v.filter;
  return {
    statuses: (f.statuses as string[] | undefined) ?? [],
    operations: (f.operations as string[] | undefined) ?? [],
    target: f.target ?? '',
    createdBy: f.createdBy ?? '',
    active: f.active == null ? '' : f.active ? 'true' : 'false',
    deadLetter: f.deadLetter == null ? '' : f.deadLetter ? 'true' : 'false',
    failureReason: f.failureReason ?? '',
    createdAfter: isoToLocalInput(f.createdAfter),
    createdBefore: isoToLocalInput(f.createdBefore),
    orderBy: v.order.field,
    direction: v.order.direction,
  };
}

function draftQuery(d: Draft): string {
  const q = new URLSearchParams();
  for (const s of d.statuses) q.append('status', s);
  for (const o of d.operations) q.append('operation', o);
  if (d.target.trim()) q.set('target', d.target.trim());
  if (d.createdBy.trim()) q.set('createdBy', d.createdBy.trim());
  if (d.active) q.set('active', d.active);
  if (d.deadLetter) q.set('deadLetter', d.deadLetter);
  if (d.failureReason) q.set('failureReason', d.failureReason);
  const after = localInputToIso(d.createdAfter);
  if (after) q.set('createdAfter', after);
  const before = localInputToIso(d.createdBefore);
  if (before) q.set('createdBefore', before);
  if (d.orderBy !== 'CREATED_AT') q.set('orderBy', d.orderBy);
  if (d.direction !== 'DESC') q.set('direction', d.direction);
  const s = q.toString();
  return s ? `/jobs?${s}` : '/jobs';
}

export function JobsPage(): JSX.Element {
  useTitle('Jobs');
  const { query } = useLocation();
  const search = query.toString();
  const view = fromQuery(query);
  const viewKey = JSON.stringify(view);

  // Cursors of the pages visited under this view; the last one is the current page's `after`.
  const [pages, setPages] = useState<{ key: string; stack: string[] }>({ key: viewKey, stack: [] });
  const stack = pages.key === viewKey ? pages.stack : [];
  const after = stack.length ? stack[stack.length - 1]! : null;
  const firstPage = stack.length === 0;

  const orderBy: JobOrder = view.order;
  const list = useQuery(JOBS, { filter: view.filter, orderBy, first: PAGE_SIZE, after });
  const [pending, setPending] = useState({ key: viewKey, created: 0, moved: 0 });
  const fresh = pending.key === viewKey ? pending : { key: viewKey, created: 0, moved: 0 };
  const bump = (k: 'created' | 'moved') => setPending((p) => (p.key === viewKey ? { ...p, [k]: p[k] + 1 } : { key: viewKey, created: 0, moved: 0, [k]: 1 }));
  const [flashing, setFlashing] = useState<ReadonlySet<string>>(new Set());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  useEffect(() => () => timers.current.forEach(clearTimeout), []);

  const flash = (id: string) => {
    setFlashing((s) => new Set(s).add(id));
    clearTimeout(timers.current.get(id));
    timers.current.set(
      id,
      setTimeout(() => {
        timers.current.delete(id);
        setFlashing((s) => {
          const n = new Set(s);
          n.delete(id);
          return n;
        });
      }, 1200),
    );
  };

  // The handler is replaced on every render, so `list.data` here is what is on screen.
  const liveError = useSubscription(JOB_EVENTS, { filter: view.filter }, ({ jobEvents: e }) => {
    const job = e.job;
    if (!list.data) return; // the query's answer already includes it
    const shown = list.data.jobs.nodes.some((n) => n.id === job.id);
    if (e.kind === 'CREATED') {
      if (shown) return;
      const insert = firstPage && view.order.field === 'CREATED_AT' && view.order.direction === 'DESC';
      list.setData((old) => old && { jobs: { ...old.jobs, totalCount: old.jobs.totalCount + 1, nodes: insert ? [job, ...old.jobs.nodes] : old.jobs.nodes } });
      if (insert) flash(job.id);
      else bump('created');
      return;
    }
    // Only a status change moves a job into or out of the filter, so the count follows it:
    // a job that no longer matches did before (or it would not have been sent).
    const matches = statusMatches(job.status, view.filter);
    const matched = e.kind === 'STATUS_CHANGED' && e.previousStatus ? statusMatches(e.previousStatus, view.filter) : matches;
    const delta = Number(matches) - Number(matched);
    list.setData((old) => {
      if (!old) return old;
      // A shown job that left the filter (an active job finished, say) stays in view, dimmed, until the next load.
      const nodes = shown ? old.jobs.nodes.map((n) => (n.id === job.id && n.updatedAt <= job.updatedAt ? job : n)) : old.jobs.nodes;
      return { jobs: { ...old.jobs, totalCount: old.jobs.totalCount + delta, nodes } };
    });
    if (shown) flash(job.id);
    // A job that did not match before now does: the list is out of date.
    else if (delta > 0) bump('moved');
  });

  const showNew = () => {
    setPending({ key: viewKey, created: 0, moved: 0 });
    if (firstPage) list.reload();
    else setPages({ key: viewKey, stack: [] });
  };

  const jobs = list.data?.jobs;
  const filtered = Object.keys(view.filter).length > 0;
  const { can } = useSession();

  return (
    <section>
      <h1>Jobs</h1>
      <Filters search={search} view={view} />
      <div class="actions">
        <span data-testid="jobs-count" aria-live="polite">
          {jobs ? `${jobs.totalCount} ${jobs.totalCount === 1 ? 'job matches' : 'jobs match'}` : ''}
        </span>
        <LiveIndicator error={liveError} />
        {fresh.created > 0 && (
          <button type="button" class="secondary" onClick={showNew}>
            {fresh.created} new {fresh.created === 1 ? 'job' : 'jobs'} — show
          </button>
        )}
        {fresh.moved > 0 && (
          <button type="button" class="secondary" onClick={showNew}>
            {fresh.moved} more {fresh.moved === 1 ? 'job now matches' : 'jobs now match'} — show
          </button>
        )}
      </div>
      {can('OPERATOR') && filtered && jobs && jobs.totalCount > 0 && <BulkActions filter={view.filter} />}
      <ErrorBox message={list.error} />
      {!jobs && list.loading ? (
        <Loading />
      ) : jobs ? (
        jobs.nodes.length === 0 ? (
          <p class="muted" data-testid="jobs-empty">
            {filtered ? 'No jobs match these filters.' : firstPage ? 'There are no jobs yet.' : 'No more jobs.'}
          </p>
        ) : (
          <div class="table-wrap">
            <table data-testid="jobs-table" class={list.loading ? 'stale' : undefined} aria-busy={list.loading} aria-label={`Jobs, ${orderLabel(view.order)}`}>
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Target</th>
                  <th scope="col">Operation</th>
                  <th scope="col">Status</th>
                  <th scope="col">Created by</th>
                  <th scope="col">Created</th>
                  <th scope="col">Updated</th>
                  <th scope="col">Progress</th>
                  <th scope="col">Attempts</th>
                </tr>
              </thead>
              <tbody>
                {jobs.nodes.map((j) => (
                  <JobRowView key={j.id} job={j} flash={flashing.has(j.id)} left={!statusMatches(j.status, view.filter)} />
                ))}
              </tbody>
            </table>
          </div>
        )
      ) : null}
      {jobs && (
        <nav class="actions" aria-label="Pages">
          <button type="button" class="secondary" disabled={firstPage} onClick={() => setPages({ key: viewKey, stack: [] })}>
            First page
          </button>
          <button type="button" class="secondary" disabled={firstPage} onClick={() => setPages({ key: viewKey, stack: stack.slice(0, -1) })}>
            Previous page
          </button>
          <span class="muted">Page {stack.length + 1}</span>
          <button
            type="button"
            class="secondary"
            disabled={!jobs.pageInfo.hasNextPage || !jobs.pageInfo.endCursor}
            onClick={() => jobs.pageInfo.endCursor && setPages({ key: viewKey, stack: [...stack, jobs.pageInfo.endCursor] })}
          >
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}

function orderLabel(o: ListView['order']): string {
  const f = { CREATED_AT: 'creation time', UPDATED_AT: 'last change', PRIORITY: 'priority' }[o.field];
  return `by ${f}, ${o.direction === 'DESC' ? 'newest or highest first' : 'oldest or lowest first'}`;
}

/**
 * Whether a job still matches the filter's status conditions. Only a job's status changes, so only
 * these conditions can stop matching; `jobEvents` also reports the change that takes a job out.
 */
function statusMatches(status: JobStatus, filter: JobFilter): boolean {
  if (filter.statuses && !filter.statuses.includes(status)) return false;
  return filter.active == null || filter.active === !TERMINAL_STATUSES.includes(status);
}

function JobRowView({ job, flash, left }: { job: Row; flash: boolean; left: boolean }): JSX.Element {
  return (
    <tr data-job-id={job.id} class={[flash && 'flash', left && 'left'].filter(Boolean).join(' ') || undefined} title={left ? 'No longer matches the filter' : undefined}>
      <td class="mono">
        <Link to={`/jobs/${job.id}`} title={job.id}>
          {shortId(job.id)}
        </Link>
      </td>
      <td>{job.target.name}</td>
      <td>{job.operation}</td>
      <td data-testid="job-status">
        <StatusBadge status={job.status} />
      </td>
      <td>{job.createdBy}</td>
      <td>
        <Time iso={job.createdAt} />
      </td>
      <td>
        <Time iso={job.updatedAt} />
      </td>
      <td>{job.terminal && job.progress == null ? <span class="muted">—</span> : <Progress value={job.progress} />}</td>
      <td>
        {job.attempts}/{job.maxAttempts}
      </td>
    </tr>
  );
}

const LABELS: Record<string, string> = { CREATED_AT: 'Created', UPDATED_AT: 'Updated', PRIORITY: 'Priority', DESC: 'Descending', ASC: 'Ascending' };

/** The filter form: check boxes and selects apply at once, text and times on "Apply" (or Enter). */
function Filters({ search, view }: { search: string; view: ListView }): JSX.Element {
  const [draft, setDraft] = useState<Draft>(() => toDraft(view));
  // Back/forward or a shared link: the form follows the URL.
  useEffect(() => setDraft(toDraft(view)), [search]);
  const go = (d: Draft) => navigate(draftQuery(d), true);
  const set = <K extends keyof Draft>(k: K, v: Draft[K], now = false) => {
    const d = { ...draft, [k]: v };
    setDraft(d);
    if (now) go(d);
  };
  const toggle = (k: 'statuses' | 'operations', value: string, on: boolean) => {
    const list = draft[k].filter((x) => x !== value);
    if (on) list.push(value);
    const order = (k === 'statuses' ? JOB_STATUSES : JOB_OPERATIONS) as readonly string[];
    set(k, order.filter((x) => list.includes(x)), true);
  };
  // Narrow screens start with the filters folded (unless some are set), so the table is in view.
  const [open] = useState(() => Object.keys(view.filter).length > 0 || !matchMedia('(max-width: 640px)').matches);
  return (
    <details class="filters-box" open={open}>
      <summary>Filters</summary>
      <form
        class="filters jobs-filters"
        aria-label="Filter jobs"
        onSubmit={(e) => {
          e.preventDefault();
          go(draft);
        }}
      >
        <fieldset>
          <legend>Status</legend>
          <div class="checks">
            {JOB_STATUSES.map((s) => (
              <label key={s}>
                <input type="checkbox" name="status" value={s} checked={draft.statuses.includes(s)} onChange={(e) => toggle('statuses', s, e.currentTarget.checked)} /> {s}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>Operation</legend>
          <div class="checks">
            {JOB_OPERATIONS.map((o) => (
              <label key={o}>
                <input type="checkbox" name="operation" value={o} checked={draft.operations.includes(o)} onChange={(e) => toggle('operations', o, e.currentTarget.checked)} /> {o}
              </label>
            ))}
          </div>
        </fieldset>
        <div class="field">
          <label for="f-target">Target</label>
          <input id="f-target" name="target" placeholder="exact name" autoComplete="off" spellcheck={false} value={draft.target} onInput={(e) => set('target', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="f-createdBy">Created by</label>
          <input id="f-createdBy" name="createdBy" autoComplete="off" spellcheck={false} value={draft.createdBy} onInput={(e) => set('createdBy', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="f-active">Active</label>
          <select id="f-active" name="active" value={draft.active} onChange={(e) => set('active', e.currentTarget.value as Draft['active'], true)}>
            <option value="">any</option>
            <option value="true">active</option>
            <option value="false">finished</option>
          </select>
        </div>
        <div class="field">
          <label for="f-deadLetter">Dead letter</label>
          <select id="f-deadLetter" name="deadLetter" value={draft.deadLetter} onChange={(e) => set('deadLetter', e.currentTarget.value as Draft['deadLetter'], true)}>
            <option value="">any</option>
            <option value="true">failed, not retried</option>
            <option value="false">all others</option>
          </select>
        </div>
        <div class="field">
          <label for="f-failureReason">Failure reason</label>
          <input id="f-failureReason" name="failureReason" placeholder="exact text" autoComplete="off" spellcheck={false} value={draft.failureReason} onInput={(e) => set('failureReason', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="f-createdAfter">Created after</label>
          <input id="f-createdAfter" name="createdAfter" type="datetime-local" value={draft.createdAfter} onInput={(e) => set('createdAfter', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="f-createdBefore">Created before</label>
          <input id="f-createdBefore" name="createdBefore" type="datetime-local" value={draft.createdBefore} onInput={(e) => set('createdBefore', e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="f-orderBy">Order by</label>
          <select id="f-orderBy" name="orderBy" value={draft.orderBy} onChange={(e) => set('orderBy', e.currentTarget.value, true)}>
            {ORDER_FIELDS.map((f) => (
              <option key={f} value={f}>
                {LABELS[f]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-direction">Direction</label>
          <select id="f-direction" name="direction" value={draft.direction} onChange={(e) => set('direction', e.currentTarget.value, true)}>
            {SORT_DIRECTIONS.map((d) => (
              <option key={d} value={d}>
                {LABELS[d]}
              </option>
            ))}
          </select>
        </div>
        <div class="actions">
          <button type="submit">Apply</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              navigate('/jobs', true);
              setDraft(toDraft(fromQuery(new URLSearchParams())));
            }}
          >
            Clear
          </button>
        </div>
      </form>
    </details>
  );
}
