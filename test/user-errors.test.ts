import { isObjectType } from 'graphql';
import type { App } from '../src/app.js';
import { buildSchema } from '../src/schema.js';
import { MAX_MODULE_DATA_BYTES } from '../src/services/moduleData.js';
import { USER_ERROR_CODES, type UserErrorCode } from '../src/services/userErrors.js';
import { createJobs, gql, startAppWithIssuer, type UserErr } from './harness/app.js';
import type { RoleTokens } from './harness/jwks.js';

/**
 * Every userError code the schema documents (UserError.code in schema/base.graphql) is produced here by
 * a real request that a user can make, against the real service. The lists are checked both ways: a code
 * documented without a case, a case for an undocumented code, or a code the service can send that the
 * schema does not document (USER_ERROR_CODES, which userError() takes) fails this file.
 */
let app: App;
let tokens: RoleTokens;
let seq = 0;

beforeAll(async () => {
  ({ app, tokens } = await startAppWithIssuer({ file: import.meta.url }));
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
