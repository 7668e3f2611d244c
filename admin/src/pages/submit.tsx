import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { op, USER_ERROR_FIELDS, type UserError } from '../api.js';
import { ErrorBox, StatusBadge, UserErrors, UserErrorText, useTitle } from '../components.js';
import type { JobCreateInput, JobOperation, ReleaseStatus, SubmitJobsMutation, SubmitJobsMutationVariables } from '../generated/graphql.js';
import { useMutation } from '../hooks.js';
import { JOB_OPERATIONS, RELEASE_STATUSES, localInputToIso } from '../jobFields.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';

const SUBMIT = op<SubmitJobsMutation, SubmitJobsMutationVariables>(/* GraphQL */ `
  mutation SubmitJobs($input: JobsCreateInput!) {
    jobsCreate(input: $input) {
      results {
        index
        job {
          id
          status
          operation
          target {
            id
            name
          }
        }
        error {
          code
          message
          field
        }
        existingJob {
          id
          status
        }
      }
      userErrors {
        ...UserErrorFields
      }
    }
  }
  ${USER_ERROR_FIELDS}
`);

type Payload = SubmitJobsMutation['jobsCreate'];

export function SubmitPage(): JSX.Element {
  useTitle('Submit jobs');
  const { can, viewer } = useSession();
  const [mode, setMode] = useState<'one' | 'batch'>('one');
  const submit = useMutation(SUBMIT);
  const [result, setResult] = useState<{ payload: Payload; targets: string[] } | null>(null);

  if (!can('SUBMITTER')) {
    return (
      <section>
        <h1>Submit jobs</h1>
        <p data-testid="submit-forbidden">
          Your role ({viewer.roles.join(', ') || 'none'}) cannot submit jobs. Submitting needs the SUBMITTER role or a higher one.
        </p>
      </section>
    );
  }

  const send = async (items: JobCreateInput[]) => {
    setResult(null);
    const r = await submit.run({ input: { items } });
    if (r) setResult({ payload: r.jobsCreate, targets: items.map((i) => (typeof i.target === 'string' ? i.target : '')) });
  };

  return (
    <section>
      <h1>Submit jobs</h1>
      <fieldset class="mode">
        <legend>What to submit</legend>
        <label>
          <input type="radio" name="mode" value="one" checked={mode === 'one'} onChange={() => setMode('one')} /> One job
        </label>
        <label>
          <input type="radio" name="mode" value="batch" checked={mode === 'batch'} onChange={() => setMode('batch')} /> Paste a batch
        </label>
      </fieldset>
      {mode === 'one' ? <OneJobForm running={submit.running} onSend={send} /> : <BatchForm running={submit.running} onSend={send} />}
      <ErrorBox message={submit.error} />
      {result && <Results payload={result.payload} targets={result.targets} />}
    </section>
  );
}

const NEEDS_DESCRIPTION = new Set<JobOperation>(['REMOVE', 'BUMP']);

/** Parses a JSON text field; the message names the field. */
function parseJson(label: string, text: string): { value?: unknown; error?: string } {
  if (!text.trim()) return {};
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (err) {
    return { error: `${label} is not valid JSON: ${(err as Error).message}` };
  }
}

function OneJobForm({ running, onSend }: { running: boolean; onSend: (items: JobCreateInput[]) => void }): JSX.Element {
  const [f, setF] = useState({
    target: '',
    operation: 'ADD' as JobOperation,
    releaseStatus: 'DRAFT' as ReleaseStatus,
    description: '',
    bumpFromVersion: '',
    bumpToVersion: '',
    bumpManifesto: '',
    priority: '',
    maxAttempts: '',
    runAt: '',
    payload: '',
  });
  const [problems, setProblems] = useState<string[]>([]);
  const set = (k: keyof typeof f) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const operation = f.operation;

  const onSubmit = (e: Event) => {
    e.preventDefault();
    const errs: string[] = [];
    const item: JobCreateInput = { target: f.target.trim(), operation };
    if (operation === 'SET_STATUS') item.releaseStatus = f.releaseStatus;
    if (NEEDS_DESCRIPTION.has(operation) && f.description.trim()) item.description = f.description.trim();
    if (operation === 'BUMP') {
      if (f.bumpFromVersion.trim()) item.bumpFromVersion = f.bumpFromVersion.trim();
      if (f.bumpToVersion.trim()) item.bumpToVersion = f.bumpToVersion.trim();
      const m = parseJson('The bump manifesto', f.bumpManifesto);
      if (m.error) errs.push(m.error);
      else if (m.value !== undefined) {
        if (typeof m.value !== 'object' || m.value === null || Array.isArray(m.value)) errs.push('The bump manifesto must be a JSON object.');
        else item.bumpManifesto = m.value as JobCreateInput['bumpManifesto'];
      }
    }
    if (f.priority !== '') item.priority = Number(f.priority);
    if (f.maxAttempts !== '') item.maxAttempts = Number(f.maxAttempts);
    if (f.runAt) item.runAt = localInputToIso(f.runAt);
    const p = parseJson('The payload', f.payload);
    if (p.error) errs.push(p.error);
    else if (p.value !== undefined) item.payload = p.value;
    setProblems(errs);
    if (!errs.length) onSend([item]);
  };

  return (
    <form onSubmit={onSubmit} class="submit-form stack" aria-label="One job" noValidate>
      <div class="grid2">
        <div class="stack">
          <label for="s-target">Target</label>
          <input
            id="s-target"
            name="target"
            required
            autoComplete="off"
            spellcheck={false}
            value={f.target}
            onInput={set('target')}
            placeholder={operation === 'BUMP' ? 'DATASTORE' : 'DATASET_NAME'}
            aria-describedby="s-target-help"
          />
          <small id="s-target-help" class="muted">
            A dataset name ([A-Z0-9_], not starting with a digit or _){operation === 'BUMP' ? '; bumps target DATASTORE' : ''}.
          </small>
          <label for="s-operation">Operation</label>
          <select id="s-operation" name="operation" value={operation} onChange={set('operation')}>
            {JOB_OPERATIONS.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          {operation === 'SET_STATUS' && (
            <>
              <label for="s-releaseStatus">Release status</label>
              <select id="s-releaseStatus" name="releaseStatus" value={f.releaseStatus} onChange={set('releaseStatus')}>
                {RELEASE_STATUSES.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </>
          )}
          {NEEDS_DESCRIPTION.has(operation) && (
            <>
              <label for="s-description">Description (why)</label>
              <textarea id="s-description" name="description" rows={2} required value={f.description} onInput={set('description')} />
            </>
          )}
          {operation === 'BUMP' && (
            <>
              <label for="s-bumpFrom">Bump from version</label>
              <input id="s-bumpFrom" name="bumpFromVersion" required autoComplete="off" value={f.bumpFromVersion} onInput={set('bumpFromVersion')} placeholder="1.2.0" />
              <label for="s-bumpTo">Bump to version</label>
              <input id="s-bumpTo" name="bumpToVersion" required autoComplete="off" value={f.bumpToVersion} onInput={set('bumpToVersion')} placeholder="1.3.0" />
              <label for="s-manifesto">Bump manifesto (JSON)</label>
              <textarea
                id="s-manifesto"
                name="bumpManifesto"
                rows={6}
                spellcheck={false}
                value={f.bumpManifesto}
                onInput={set('bumpManifesto')}
                placeholder='{"version": "1.3.0", "description": "…", "dataStructureUpdates": [{"name": "X", "description": "…", "operation": "ADD", "releaseStatus": "PENDING_RELEASE"}]}'
              />
            </>
          )}
        </div>
        <div class="stack">
          <label for="s-priority">Priority (-100..100, default 0)</label>
          <input id="s-priority" name="priority" type="number" min={-100} max={100} step={1} value={f.priority} onInput={set('priority')} />
          <label for="s-maxAttempts">Max attempts (1..20, default 3)</label>
          <input id="s-maxAttempts" name="maxAttempts" type="number" min={1} max={20} step={1} value={f.maxAttempts} onInput={set('maxAttempts')} />
          <label for="s-runAt">Run at (optional, local time)</label>
          <input id="s-runAt" name="runAt" type="datetime-local" value={f.runAt} onInput={set('runAt')} />
          <label for="s-payload">Payload (JSON, optional)</label>
          <textarea id="s-payload" name="payload" rows={5} spellcheck={false} value={f.payload} onInput={set('payload')} placeholder='{"key": "value"}' />
        </div>
      </div>
      {problems.length > 0 && (
        <ul class="errors" role="alert">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div class="actions">
        <button type="submit" disabled={running}>
          Submit
        </button>
      </div>
    </form>
  );
}

/** A JSON array of JobCreateInput objects, or one object per line (JSON Lines). */
function parseBatch(text: string): { items?: JobCreateInput[]; error?: string } {
  const src = text.trim();
  if (!src) return { error: 'Paste a JSON array of jobs, or one JSON object per line.' };
  let list: unknown[];
  if (src.startsWith('[')) {
    try {
      const v = JSON.parse(src) as unknown;
      if (!Array.isArray(v)) return { error: 'The batch must be a JSON array.' };
      list = v;
    } catch (err) {
      return { error: `The batch is not valid JSON: ${(err as Error).message}` };
    }
  } else {
    list = [];
    const lines = src.split(/\r?\n/);
    for (const [n, line] of lines.entries()) {
      if (!line.trim()) continue;
      try {
        list.push(JSON.parse(line) as unknown);
      } catch (err) {
        // One object spread over several lines is fine too.
        try {
          const v = JSON.parse(src) as unknown;
          list = Array.isArray(v) ? v : [v];
          break;
        } catch {
          return { error: `Line ${n + 1} is not valid JSON: ${(err as Error).message}` };
        }
      }
    }
  }
  if (!list.length) return { error: 'The batch is empty.' };
  const bad = list.findIndex((v) => typeof v !== 'object' || v === null || Array.isArray(v));
  if (bad >= 0) return { error: `Item ${bad} is not a JSON object.` };
  return { items: list as JobCreateInput[] };
}

const EXAMPLE = `[
  {"target": "DATASET_A", "operation": "ADD"},
  {"target": "DATASET_B", "operation": "SET_STATUS", "releaseStatus": "PENDING_RELEASE"},
  {"target": "DATASET_C", "operation": "REMOVE", "description": "obsolete"}
]`;

function BatchForm({ running, onSend }: { running: boolean; onSend: (items: JobCreateInput[]) => void }): JSX.Element {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const r = parseBatch(text);
    setError(r.error ?? null);
    if (r.items) onSend(r.items);
  };
  return (
    <form onSubmit={onSubmit} class="stack" aria-label="Paste a batch">
      <label for="s-batch">Jobs (a JSON array of job inputs, or JSON Lines)</label>
      <textarea id="s-batch" name="batch" rows={12} spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder={EXAMPLE} aria-describedby="s-batch-help" />
      <small id="s-batch-help" class="muted">
        Fields as in JobCreateInput: target, operation, description, releaseStatus, bumpManifesto, bumpFromVersion, bumpToVersion, priority, runAt (ISO), maxAttempts, payload. Each item is
        created or rejected on its own.
      </small>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" disabled={running}>
          Submit
        </button>
      </div>
    </form>
  );
}

function Results({ payload, targets }: { payload: Payload; targets: string[] }): JSX.Element {
  const created = payload.results.filter((r) => r.job).length;
  return (
    <section aria-labelledby="results-h">
      <h2 id="results-h">Results</h2>
      <UserErrors errors={payload.userErrors as readonly UserError[]} />
      {payload.results.length > 0 && (
        <p role="status">
          {created} of {payload.results.length} created{created < payload.results.length ? `, ${payload.results.length - created} rejected` : ''}.
        </p>
      )}
      <ol class="results" data-testid="submit-results" start={0}>
        {payload.results.map((r) => (
          <li key={r.index} data-index={r.index} class={r.job ? 'ok' : 'rejected'}>
            <span class="muted">#{r.index}</span> {targets[r.index] ? <strong>{targets[r.index]}</strong> : null}{' '}
            {r.job ? (
              <>
                <span class="success">created</span>{' '}
                <Link to={`/jobs/${r.job.id}`} class="mono">
                  {r.job.id}
                </Link>{' '}
                <StatusBadge status={r.job.status} />
              </>
            ) : r.error ? (
              <span class="error">
                <UserErrorText error={r.error} />
              </span>
            ) : null}
            {r.existingJob && (
              <>
                {' '}
                — <Link to={`/jobs/${r.existingJob.id}`}>existing job</Link> <StatusBadge status={r.existingJob.status} />
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
