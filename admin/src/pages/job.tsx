import type { ComponentChildren, JSX } from 'preact';
import { useState } from 'preact/hooks';
import { op, USER_ERROR_FIELDS, type UserError } from '../api.js';
import { ErrorBox, LiveIndicator, Loading, Progress, StatusBadge, Time, UserErrors, useTitle } from '../components.js';
import type {
  JobDetailFragment,
  JobPageCancelMutation,
  JobPageCancelMutationVariables,
  JobPageQuery,
  JobPageQueryVariables,
  JobPageRetryMutation,
  JobPageRetryMutationVariables,
  JobPageUpdateMutation,
  JobPageUpdateMutationVariables,
  JobPageUpdatedSubscription,
  JobPageUpdatedSubscriptionVariables,
  JobStatus,
} from '../generated/graphql.js';
import { useMutation, useQuery, useSubscription } from '../hooks.js';
import { JOB_DETAIL, JOB_STATUSES } from '../jobFields.js';
import { Link, navigate } from '../router.js';
import { useSession } from '../session.js';
import { FlowPanel } from './flow.js';

const JOB = op<JobPageQuery, JobPageQueryVariables>(/* GraphQL */ `
  query JobPage($id: ID!) {
    job(id: $id) {
      ...JobDetail
    }
  }
  ${JOB_DETAIL}
`);

const JOB_UPDATED = op<JobPageUpdatedSubscription, JobPageUpdatedSubscriptionVariables>(/* GraphQL */ `
  subscription JobPageUpdated($id: ID!) {
    jobUpdated(id: $id) {
      kind
      at
      job {
        ...JobDetail
      }
    }
  }
  ${JOB_DETAIL}
`);

const CANCEL = op<JobPageCancelMutation, JobPageCancelMutationVariables>(/* GraphQL */ `
  mutation JobPageCancel($input: JobCancelInput!) {
    jobCancel(input: $input) {
      job {
        ...JobDetail
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${JOB_DETAIL}
  ${USER_ERROR_FIELDS}
`);

const RETRY = op<JobPageRetryMutation, JobPageRetryMutationVariables>(/* GraphQL */ `
  mutation JobPageRetry($input: JobRetryInput!) {
    jobRetry(input: $input) {
      job {
        id
        status
      }
      retriedJob {
        ...JobDetail
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${JOB_DETAIL}
  ${USER_ERROR_FIELDS}
`);

const UPDATE = op<JobPageUpdateMutation, JobPageUpdateMutationVariables>(/* GraphQL */ `
  mutation JobPageUpdate($input: JobUpdateInput!) {
    jobUpdate(input: $input) {
      job {
        ...JobDetail
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${JOB_DETAIL}
  ${USER_ERROR_FIELDS}
`);

type Job = JobDetailFragment;

const RETRYABLE = new Set<JobStatus>(['FAILED', 'CANCELLED']);

export function JobPage({ id }: { id: string }): JSX.Element {
  // Keyed by id: another job (e.g. after a retry) starts with fresh forms and messages.
  return <JobView key={id} id={id} />;
}

function JobView({ id }: { id: string }): JSX.Element {
  useTitle(`Job ${id}`);
  const { can } = useSession();
  const q = useQuery(JOB, { id });
  /** Shows a newer version of the job (live event or a mutation's answer); never goes back in time. */
  const show = (job: Job | null | undefined) => {
    if (!job) return;
    q.setData((old) => (old?.job && old.job.updatedAt > job.updatedAt ? old : { job }));
  };
  const liveError = useSubscription(JOB_UPDATED, { id }, (d) => show(d.jobUpdated.job));

  if (!q.data) {
    return (
      <section>
        <h1>
          Job <code>{id}</code>
        </h1>
        {q.error ? <ErrorBox message={q.error} /> : <Loading />}
      </section>
    );
  }
  const job = q.data.job;
  if (!job) {
    return (
      <section>
        <h1>
          Job <code>{id}</code>
        </h1>
        <p class="error" role="alert" data-testid="job-not-found">
          There is no job with id <code>{id}</code>. It may have been mistyped, or the link is from another installation.
        </p>
        <p>
          <Link to="/jobs">Back to the jobs</Link>
        </p>
      </section>
    );
  }
  const timeline = job.log.filter((e) => e.status);
  return (
    <section>
      <p class="muted">
        <Link to="/jobs">← Jobs</Link>
      </p>
      <h1 class="job-heading">
        Job <code class="job-id">{job.id}</code>{' '}
        <span data-testid="job-status">
          <StatusBadge status={job.status} />
        </span>
      </h1>
      <p class="actions">
        <span>
          {job.operation} on <strong>{job.target.name}</strong>
        </span>
        <LiveIndicator error={liveError} />
      </p>
      <ErrorBox message={q.error} />
      {can('OPERATOR') && <JobActions job={job} onJob={show} />}
      <div class="grid2">
        <div>
          <h2>Summary</h2>
          <Facts job={job} />
        </div>
        <div>
          <h2>Parameters</h2>
          <Parameters job={job} />
        </div>
      </div>
      <FlowPanel jobId={job.id} updatedAt={job.updatedAt} />
      <h2>Status timeline</h2>
      {timeline.length ? (
        <ol class="timeline" data-testid="job-timeline">
          {timeline.map((e, i) => (
            <li key={i}>
              <StatusBadge status={e.status!} /> <Time iso={e.at} /> <span class="muted">by {e.actor}</span>
              {e.message ? <div>{e.message}</div> : null}
            </li>
          ))}
        </ol>
      ) : (
        <p class="muted">No status changes recorded.</p>
      )}
      <h2>Log</h2>
      {job.log.length ? (
        <div class="table-wrap">
          <table data-testid="job-log" aria-label="Log, oldest first">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Status</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {job.log.map((e, i) => (
                <tr key={i}>
                  <td>
                    <Time iso={e.at} />
                  </td>
                  <td>{e.actor}</td>
                  <td>{e.status ? <StatusBadge status={e.status} /> : null}</td>
                  <td class="wrap">{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p class="muted">The log is empty.</p>
      )}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ComponentChildren }): JSX.Element {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children ?? <span class="muted">—</span>}</dd>
    </>
  );
}

function JobLink({ job }: { job: { id: string; status: string } | null }): JSX.Element | null {
  if (!job) return null;
  return (
    <>
      <Link to={`/jobs/${job.id}`} class="mono">
        {job.id}
      </Link>{' '}
      <StatusBadge status={job.status} />
    </>
  );
}

function Facts({ job }: { job: Job }): JSX.Element {
  const w = job.worker;
  return (
    <dl class="facts">
      <Fact label="Status">
        <StatusBadge status={job.status} /> {job.terminal ? <span class="muted">(terminal)</span> : null}
      </Fact>
      <Fact label="Operation">{job.operation}</Fact>
      <Fact label="Target">
        <Link to={`/jobs?target=${encodeURIComponent(job.target.name)}`} title="Jobs for this target">
          {job.target.name}
        </Link>{' '}
        <span class="muted">(latest job: </span>
        <StatusBadge status={job.target.status} />
        <span class="muted">)</span>
      </Fact>
      <Fact label="Description">{job.description}</Fact>
      <Fact label="Created by">{job.createdBy}</Fact>
      <Fact label="Created">
        <Time iso={job.createdAt} />
      </Fact>
      <Fact label="Updated">
        <Time iso={job.updatedAt} />
      </Fact>
      <Fact label="Started">{job.startedAt ? <Time iso={job.startedAt} /> : null}</Fact>
      <Fact label="Finished">{job.finishedAt ? <Time iso={job.finishedAt} /> : null}</Fact>
      <Fact label="Priority">{job.priority}</Fact>
      <Fact label="Run at">{job.runAt ? <Time iso={job.runAt} /> : null}</Fact>
      <Fact label="Attempts">
        {job.attempts}/{job.maxAttempts}
      </Fact>
      <Fact label="Progress">{job.progress != null ? <Progress value={job.progress} /> : null}</Fact>
      <Fact label="Cancel requested">{job.cancelRequested ? 'yes' : 'no'}</Fact>
      <Fact label="Failure reason">{job.failureReason ? <span class="error">{job.failureReason}</span> : null}</Fact>
      <Fact label="Lease expires">{job.leaseExpiresAt ? <Time iso={job.leaseExpiresAt} /> : null}</Fact>
      <Fact label="Worker">
        {w ? (
          <>
            <span class="mono">{w.workerId}</span> {w.hostname ? <>on {w.hostname} </> : null}
            <span class={w.alive ? 'success' : 'muted'}>{w.alive ? `alive${w.status ? `, ${w.status}` : ''}` : 'not alive'}</span>
          </>
        ) : null}
      </Fact>
      <Fact label="Retry of">
        <JobLink job={job.retryOf} />
      </Fact>
      <Fact label="Retried by">
        <JobLink job={job.retriedBy} />
      </Fact>
    </dl>
  );
}

function Parameters({ job }: { job: Job }): JSX.Element {
  const p = job.parameters;
  return (
    <>
      <dl class="facts">
        <Fact label="Target">{p.target}</Fact>
        <Fact label="Operation">{p.operation}</Fact>
        {p.releaseStatus ? <Fact label="Release status">{p.releaseStatus}</Fact> : null}
        {p.description ? <Fact label="Description">{p.description}</Fact> : null}
        {p.bumpFromVersion ? <Fact label="Bump from">{p.bumpFromVersion}</Fact> : null}
        {p.bumpToVersion ? <Fact label="Bump to">{p.bumpToVersion}</Fact> : null}
      </dl>
      {p.bumpManifesto ? (
        <>
          <h3>Bump manifesto</h3>
          <pre data-testid="job-manifesto">{JSON.stringify(p.bumpManifesto, null, 2)}</pre>
        </>
      ) : null}
      <h3>Payload</h3>
      {p.payload != null ? <pre data-testid="job-payload">{JSON.stringify(p.payload, null, 2)}</pre> : <p class="muted">No payload.</p>}
    </>
  );
}

/** Cancel, retry and update (OPERATOR and up; the caller renders this only for them). */
function JobActions({ job, onJob }: { job: Job; onJob: (j: Job | null) => void }): JSX.Element {
  const cancel = useMutation(CANCEL);
  const retry = useMutation(RETRY);
  const update = useMutation(UPDATE);
  const [reason, setReason] = useState('');
  const [cancelErrors, setCancelErrors] = useState<readonly UserError[]>([]);
  const [retryErrors, setRetryErrors] = useState<readonly UserError[]>([]);
  const [updateErrors, setUpdateErrors] = useState<readonly UserError[]>([]);
  const [status, setStatus] = useState('');
  /** null until edited: the field shows the job's current (live) description. */
  const [description, setDescription] = useState<string | null>(null);
  const [logMessage, setLogMessage] = useState('');
  const [note, setNote] = useState<string | null>(null);

  const onCancel = async (e: Event) => {
    e.preventDefault();
    if (!confirm(`Cancel job ${job.id} (${job.operation} on ${job.target.name})?`)) return;
    setNote(null);
    const r = await cancel.run({ input: { id: job.id, reason: reason.trim() || null } });
    if (!r) return;
    setCancelErrors(r.jobCancel.userErrors);
    onJob(r.jobCancel.job);
    if (!r.jobCancel.userErrors.length) {
      setReason('');
      setNote(r.jobCancel.job?.terminal ? 'The job was cancelled.' : 'Cancellation was requested; the worker stops it.');
    }
  };

  const onRetry = async () => {
    setNote(null);
    const r = await retry.run({ input: { id: job.id } });
    if (!r) return;
    setRetryErrors(r.jobRetry.userErrors);
    onJob(r.jobRetry.retriedJob);
    if (r.jobRetry.job) navigate(`/jobs/${r.jobRetry.job.id}`);
  };

  const onUpdate = async (e: Event) => {
    e.preventDefault();
    setNote(null);
    const input: JobPageUpdateMutationVariables['input'] = { id: job.id };
    if (status) input.status = status as JobStatus;
    if (description !== null && description !== (job.description ?? '')) input.description = description;
    if (logMessage.trim()) input.logMessage = logMessage.trim();
    if (Object.keys(input).length === 1) {
      setUpdateErrors([{ code: 'NOTHING_TO_CHANGE', message: 'Choose a status, change the description or write a log message first.', field: null }]);
      return;
    }
    const r = await update.run({ input });
    if (!r) return;
    setUpdateErrors(r.jobUpdate.userErrors);
    onJob(r.jobUpdate.job);
    if (!r.jobUpdate.userErrors.length) {
      setStatus('');
      setDescription(null);
      setLogMessage('');
      setNote('Saved.');
    }
  };

  return (
    <section class="job-actions" aria-labelledby="job-actions-h">
      <h2 id="job-actions-h">Actions</h2>
      {note && (
        <p class="success" role="status">
          {note}
        </p>
      )}
      <div class="grid2">
        {!job.terminal && (
          <form onSubmit={onCancel} class="stack">
            <label for="cancel-reason">Cancel reason (optional)</label>
            <input id="cancel-reason" name="reason" value={reason} onInput={(e) => setReason(e.currentTarget.value)} autoComplete="off" />
            <div class="actions">
              <button type="submit" class="danger" disabled={cancel.running || job.cancelRequested}>
                Cancel job
              </button>
              {job.cancelRequested && <span class="muted">Cancellation already requested.</span>}
            </div>
            <ErrorBox message={cancel.error} />
            <UserErrors errors={cancelErrors} />
          </form>
        )}
        {RETRYABLE.has(job.status) && (
          <div class="stack">
            <p>
              {job.retriedBy ? (
                <>
                  Already retried as <JobLink job={job.retriedBy} />.
                </>
              ) : (
                'Queue this job again as a new job linked to this one.'
              )}
            </p>
            <div class="actions">
              <button type="button" onClick={onRetry} disabled={retry.running}>
                Retry job
              </button>
            </div>
            <ErrorBox message={retry.error} />
            <UserErrors errors={retryErrors} />
          </div>
        )}
        {job.terminal ? (
          <p class="muted">This job has finished: its status, description and log can no longer change.</p>
        ) : (
          <form onSubmit={onUpdate} class="stack" aria-label="Update job">
            <label for="upd-status">Status</label>
            <select id="upd-status" name="status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value="">(unchanged: {job.status})</option>
              {JOB_STATUSES.filter((s) => s !== job.status).map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
            <label for="upd-description">Description</label>
            <textarea id="upd-description" name="description" rows={2} value={description ?? job.description ?? ''} onInput={(e) => setDescription(e.currentTarget.value)} />
            <label for="upd-log">Log message</label>
            <input id="upd-log" name="logMessage" value={logMessage} onInput={(e) => setLogMessage(e.currentTarget.value)} autoComplete="off" />
            <div class="actions">
              <button type="submit" disabled={update.running}>
                Save changes
              </button>
            </div>
            <ErrorBox message={update.error} />
            <UserErrors errors={updateErrors} />
          </form>
        )}
      </div>
    </section>
  );
}
