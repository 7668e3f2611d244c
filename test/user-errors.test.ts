import { isObjectType } from 'graphql';
import type { App } from '../src/app.js';
import { buildSchema } from '../src/schema.js';
import { MAX_GROUPS_PER_OPERATION } from '../src/services/caps.js';
import { MAX_MODULE_DATA_BYTES } from '../src/services/moduleData.js';
import { USER_ERROR_CODES, type UserErrorCode } from '../src/services/userErrors.js';
import { createJobs, gql, startAppWithIssuer, startTestApp, type UserErr } from './harness/app.js';
import { backends, startPausable, whyNotPausable } from './harness/backends.js';
import type { RoleTokens } from './harness/jwks.js';
import { until } from './harness/until.js';

/**
 * Every userError code the schema documents (UserError.code in schema/base.graphql) is produced here by
 * a real request that a user can make, against the real service. The lists are checked both ways: a code
 * documented without a case, a case for an undocumented code, or a code the service can send that the
 * schema does not document (USER_ERROR_CODES, which userError() takes) fails this file.
 */
let app: App & { name: string };
let tokens: RoleTokens;
let token: (roles: string[], sub?: string) => Promise<string>;
let jwksUrl: string;
let seq = 0;

beforeAll(async () => {
  let jwks: { url: string };
  ({ app, tokens, token, jwks } = await startAppWithIssuer({ file: import.meta.url }));
  jwksUrl = jwks.url;
});

/** A target name of this test's own. */
const target = () => `UE_${++seq}`;

function documentedCodes(): string[] {
  const type = buildSchema().getType('UserError');
  if (!isObjectType(type)) throw new Error('UserError is not an object type');
  const description = type.getFields().code!.description ?? '';
  return [...description.matchAll(/^\s*- ([A-Z_]+):/gm)].map((m) => m[1]!).sort();
}

async function call<T>(query: string, input: unknown, token: string): Promise<T> {
  const res = await gql<T>(app.url, query, { i: input }, token);
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!;
}

const CREATE = 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { error { code message field } } userErrors { code message field } } }';
type Created = { jobsCreate: { results: Array<{ error: UserErr | null }>; userErrors: UserErr[] } };
/** jobsCreate's userErrors and its items' errors. */
async function create(items: unknown[]): Promise<UserErr[]> {
  const d = await call<Created>(CREATE, { items }, tokens.submitter);
  return [...d.jobsCreate.userErrors, ...d.jobsCreate.results.flatMap((r) => (r.error ? [r.error] : []))];
}

const jobMutation = (name: string, input: string) => `mutation($i: ${input}!) { ${name}(input: $i) { userErrors { code message field } } }`;
async function errorsOf(name: string, input: string, value: unknown, token: string): Promise<UserErr[]> {
  const d = await call<Record<string, { userErrors: UserErr[] }>>(jobMutation(name, input), value, token);
  return d[name]!.userErrors;
}

const newJob = async (operation = 'ADD') => (await createJobs(app.url, tokens.submitter, [{ target: target(), operation }]))[0]!;

/**
 * Bulk actions: `n` jobs made by a submitter of the case's own (so a `createdBy` filter matches them and
 * nothing else), then jobsCancel with `input` on that filter. Returns the payload's userErrors.
 */
const BULK_CANCEL = 'mutation($i: JobsCancelInput!) { jobsCancel(input: $i) { matchedCount action { id } userErrors { code message field } } }';
type BulkCancelled = { jobsCancel: { matchedCount: number; action: { id: string } | null; userErrors: UserErr[] } };
async function ownJobs(url: string, n: number): Promise<{ filter: { createdBy: string }; ids: string[] }> {
  const sub = `ue-bulk-${++seq}`;
  const ids = n ? await createJobs(url, await token(['SUBMITTER'], sub), Array.from({ length: n }, () => ({ target: target(), operation: 'ADD' }))) : [];
  return { filter: { createdBy: sub }, ids };
}
async function bulkCancel(input: Record<string, unknown>, url = app.url): Promise<BulkCancelled['jobsCancel']> {
  const res = await gql<BulkCancelled>(url, BULK_CANCEL, { i: input }, tokens.operator);
  expect(res.status).toBe(200);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.jobsCancel;
}

const scheduleCreate = (name: string, extra: Record<string, unknown>) =>
  errorsOf('scheduleCreate', 'ScheduleCreateInput', { name, cron: '0 9 * * *', job: { target: target(), operation: 'PATCH_METADATA' }, ...extra }, tokens.admin);

const FLOW_CREATE = 'mutation($i: FlowCreateInput!) { flowCreate(input: $i) { flow { id } results { error { code message field } } userErrors { code message field } } }';

/** One case per documented code: a request a user can make that the service answers with that code. */
const cases: Record<UserErrorCode, () => Promise<UserErr[]>> = {
  BUMP_DISABLED: () =>
    create([
      {
        target: 'DATASTORE',
        operation: 'BUMP',
        description: 'a valid bump, refused by configuration',
        bumpFromVersion: '1.0.0',
        bumpToVersion: '1.1.0',
        bumpManifesto: { version: '1.1.0', description: 'd', dataStructureUpdates: [] },
      },
    ]),
  DUPLICATE_IN_PROGRESS: async () => {
    const t = target();
    expect(await create([{ target: t, operation: 'ADD' }])).toEqual([]);
    return create([{ target: t, operation: 'CHANGE' }]);
  },
  INVALID_BATCH: () => create([]),
  INVALID_NAME: () => errorsOf('moduleDataSet', 'ModuleDataSetInput', { module: 'no spaces allowed', name: 'doc', data: {} }, tokens.admin),
  INVALID_PARAMETERS: () => errorsOf('maintenanceSet', 'MaintenanceSetInput', { paused: false, message: '   ' }, tokens.admin),
  INVALID_TARGET: () => create([{ target: 'lower-case-and-dashes', operation: 'ADD' }]),
  INVALID_TRANSITION: async () => errorsOf('jobUpdate', 'JobUpdateInput', { id: await newJob(), status: 'COMPLETED' }, tokens.operator),
  JOB_TERMINAL: async () => {
    const id = await newJob();
    expect(await errorsOf('jobCancel', 'JobCancelInput', { id }, tokens.operator)).toEqual([]);
    return errorsOf('jobCancel', 'JobCancelInput', { id }, tokens.operator);
  },
  LEASE_LOST: async () => errorsOf('jobComplete', 'JobCompleteInput', { id: await newJob(), leaseToken: 'not-a-lease-of-mine' }, tokens.worker),
  NOT_FOUND: () => errorsOf('workerSetDisabled', 'WorkerSetDisabledInput', { workerId: 'nobody-runs-this', disabled: true }, tokens.operator),
  NOT_RETRYABLE: async () => errorsOf('jobRetry', 'JobRetryInput', { id: await newJob() }, tokens.operator),
  TOO_LARGE: () => errorsOf('moduleDataSet', 'ModuleDataSetInput', { module: 'ue', name: 'big', data: { text: 'x'.repeat(MAX_MODULE_DATA_BYTES) } }, tokens.admin),

  // Bulk actions (jobsCancel / jobsRetry, schema/volume.graphql).
  EMPTY_FILTER: async () => (await bulkCancel({ filter: {}, expectedCount: 1 })).userErrors,
  NO_MATCH: async () => (await bulkCancel({ filter: (await ownJobs(app.url, 0)).filter, expectedCount: 1 })).userErrors,
  COUNT_ABOVE_EXPECTED: async () => {
    const { filter } = await ownJobs(app.url, 2);
    const answer = await bulkCancel({ filter, expectedCount: 1 });
    expect(answer).toMatchObject({ matchedCount: 2, action: null });
    return answer.userErrors;
  },
  TOO_MANY: async () => {
    // An instance of its own on the same database, whose bound (BULK_MAX) is 2: three jobs are too many.
    const small = await startTestApp({ file: import.meta.url, jwksUrl, name: app.name, env: { BULK_MAX: '2' } });
    const { filter } = await ownJobs(small.url, 3);
    const answer = await bulkCancel({ filter, expectedCount: 3 }, small.url);
    expect(answer).toMatchObject({ matchedCount: 3, action: null });
    return answer.userErrors;
  },
  INTERNAL: async () => {
    // Not a payload's userError but a per-job entry of the action (bulkAction.failures, whose code is this list).
    // A per-job fault: an instance of its own whose Redis stops answering (SIGSTOP) after its job is made.
    // The action is accepted and recorded (MongoDB answers); cancelling the job needs Redis, times out, and the
    // job's failure entry carries INTERNAL. The bulkAction query reads MongoDB only, so the end is seen while paused.
    const reason = whyNotPausable('redis');
    if (reason) throw new Error(`INTERNAL needs a Redis of the test's own: ${reason}`);
    const redis = await startPausable('redis');
    const env = { REDIS_COMMAND_TIMEOUT_MS: '300', REDIS_CONNECT_TIMEOUT_MS: '1000' };
    const faulty = await startTestApp({ file: import.meta.url, jwksUrl, env, backends: { mongoUri: (await backends()).mongoUri, redisUrl: redis.url } });
    const { filter, ids } = await ownJobs(faulty.url, 1);
    const ACTION = 'query($id: ID!) { bulkAction(id: $id) { state processedCount failedCount failures { jobId code message } } }';
    type Action = { bulkAction: { state: string; processedCount: number; failedCount: number; failures: Array<{ jobId: string; code: string; message: string }> } };
    await redis.pause();
    let action: Action['bulkAction'];
    try {
      const started = await bulkCancel({ filter, expectedCount: 1, reason: 'fault' }, faulty.url);
      expect(started.userErrors).toEqual([]);
      await until('the bulk action to end', async () => {
        const res = await gql<Action>(faulty.url, ACTION, { id: started.action!.id }, tokens.operator);
        expect(res.body.errors).toBeUndefined();
        action = res.body.data!.bulkAction;
        return action.state !== 'RUNNING';
      });
    } finally {
      redis.resume();
    }
    expect(action!).toMatchObject({ state: 'DONE', processedCount: 1, failedCount: 1, failures: [{ jobId: ids[0], code: 'INTERNAL' }] });
    return action!.failures.map(({ code, message }) => ({ code, message, field: null }));
  },

  // Schedules (schema/schedules.graphql).
  DUPLICATE_NAME: async () => {
    const name = `ue schedule ${++seq}`;
    expect(await scheduleCreate(name, {})).toEqual([]);
    return scheduleCreate(name, {});
  },
  INVALID_CRON: () => scheduleCreate(`ue schedule ${++seq}`, { cron: '61 * * * *' }),
  INVALID_TIME_ZONE: () => scheduleCreate(`ue schedule ${++seq}`, { timeZone: 'Mars/Olympus' }),

  // Flows (schema/flows.graphql): every child refused (its target already has a job in progress), so no flow.
  NO_CHILDREN: async () => {
    const busy = target();
    expect(await create([{ target: busy, operation: 'ADD' }])).toEqual([]);
    const d = await call<{ flowCreate: { flow: unknown; results: Array<{ error: UserErr | null }>; userErrors: UserErr[] } }>(
      FLOW_CREATE,
      { items: [{ target: busy, operation: 'ADD' }], then: { target: target(), operation: 'ADD' } },
      tokens.submitter,
    );
    expect(d.flowCreate.flow).toBeNull();
    expect(d.flowCreate.results.map((r) => r.error?.code)).toEqual(['DUPLICATE_IN_PROGRESS']);
    return d.flowCreate.userErrors;
  },

  // Caps (schema/caps.graphql): one target-group cap more than an operation may have. This file claims no job
  // and no other case sets caps, so these caps change nothing else here.
  TOO_MANY_GROUPS: async () => {
    const set = (prefix: string) => errorsOf('concurrencyCapSet', 'ConcurrencyCapSetInput', { operation: 'DELETE_ARCHIVE', targetPrefix: prefix, maxRunning: 1 }, tokens.admin);
    for (let i = 0; i < MAX_GROUPS_PER_OPERATION; i++) expect(await set(`UE_GROUP_${i}_`)).toEqual([]);
    return set('UE_GROUP_ONE_MORE_');
  },
};

test('the schema documents exactly the codes the service can send (USER_ERROR_CODES)', () => {
  const documented = documentedCodes();
  expect(documented.length).toBeGreaterThan(0);
  expect(documented).toEqual([...USER_ERROR_CODES].sort());
});

test('every documented code has a case here that produces it, and no case is for an undocumented code', () => {
  expect(Object.keys(cases).sort()).toEqual(documentedCodes());
});

test.each([...USER_ERROR_CODES])('%s: a user\'s request that the service answers with it (as data, with a message)', async (code) => {
  const errors = await cases[code]();
  expect(errors.map((e) => e.code)).toContain(code);
  for (const e of errors) expect(e.message.length).toBeGreaterThan(0);
});

/**
 * The per-job lock (and its LockTimeoutError) is gone: concurrent changes to one job are decided by one Redis
 * script each, so none waits for another or times out. Ten operators cancelling one job at once: exactly one
 * wins, the other nine get JOB_TERMINAL, and the job's log holds one cancel.
 */
test('concurrent changes to one job: one wins, the others get JOB_TERMINAL, none waits on a lock', async () => {
  const id = await newJob();
  const answers = await Promise.all(Array.from({ length: 10 }, () => errorsOf('jobCancel', 'JobCancelInput', { id, reason: 'race' }, tokens.operator)));
  expect(answers.filter((e) => e.length === 0)).toHaveLength(1);
  expect(answers.filter((e) => e.length > 0).map((e) => e.map((x) => x.code))).toEqual(Array.from({ length: 9 }, () => ['JOB_TERMINAL']));
  const job = await gql<{ job: { status: string; log: Array<{ message: string }> } }>(app.url, 'query($id: ID!) { job(id: $id) { status log { message } } }', { id }, tokens.viewer);
  expect(job.body.data!.job.status).toBe('CANCELLED');
  expect(job.body.data!.job.log.filter((l) => /cancel/i.test(l.message))).toHaveLength(1);
});
