import { Types } from 'mongoose';
import type { App } from '../src/app.js';
import { WorkerClient } from '../src/worker-client/index.js';
import { createJobs, gql, startAppWithIssuer, startTestApp } from './harness/app.js';
import { until } from './harness/until.js';

/**
 * Job logs end to end: a write's lines are stored in the job's own document with its state (one
 * command), so every instance reads them at once; the log mover appends an ended job's lines to the
 * `joblogs` collection shortly after (JOB_LOG_MOVE_MS) and removes them from the job; nothing is shown
 * twice or lost along the way, and a list page reads neither. Real service, FerretDB, redis-server; each
 * test uses its own operation and targets.
 */
let paused: App & { name: string };
let quick: App & { name: string };
let token: (roles: string[], sub?: string) => Promise<string>;
let viewer: string;
let operator: string;
let workerToken: string;
let jwksUrl: string;

beforeAll(async () => {
  // A mover delay far longer than any test: an ended job's lines stay in its document until close().
  const started = await startAppWithIssuer({ file: import.meta.url, env: { JOB_LOG_MOVE_MS: '60000' }, appOptions: { background: false }, instrument: true });
  paused = started.app;
  token = started.token;
  jwksUrl = started.jwks.url;
  // A second instance on the same database and Redis, its mover quick.
  quick = await startTestApp({ file: import.meta.url, jwksUrl, name: paused.name, env: { JOB_LOG_MOVE_MS: '20' }, appOptions: { background: false } });
  viewer = await token(['VIEWER'], 'vera');
  operator = await token(['OPERATOR'], 'olga');
  workerToken = await token(['WORKER'], 'bot');
});

const COMPLETE = `mutation($i: JobCompleteInput!) { jobComplete(input: $i) { job { status log { actor message } } userErrors { code } } }`;
const FAIL = `mutation($i: JobFailInput!) { jobFail(input: $i) { job { status } userErrors { code } } }`;
const RETRY = `mutation($i: JobRetryInput!) { jobRetry(input: $i) { job { id } userErrors { code } } }`;
const LOG = `query($id: ID!) { job(id: $id) { log { actor message } } }`;

/** Creates one job of `operation` on `app` and claims it as a worker. */
async function claimOne(app: App, operation: string, target: string) {
  const [id] = await createJobs(app.url, await token(['SUBMITTER'], `sub-${operation}`), [{ target, operation }]);
  const { lease } = await new WorkerClient({ url: app.url, token: workerToken }).claim({ workerId: `w-${operation}`, operations: [operation as 'ADD'], maxJobs: 1 });
  expect(lease?.job.id).toBe(id);
  return { id: id!, leaseToken: lease!.token };
}

async function complete(app: App, id: string, leaseToken: string, message: string) {
  const res = await gql<{ jobComplete: { job: { status: string; log: Array<{ actor: string; message: string }> }; userErrors: unknown[] } }>(app.url, COMPLETE, { i: { id, leaseToken, message } }, workerToken);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.jobComplete.userErrors).toEqual([]);
  return res.body.data!.jobComplete.job;
}

async function logOf(app: App, id: string): Promise<string[]> {
  const res = await gql<{ job: { log: Array<{ message: string }> } }>(app.url, LOG, { id }, viewer);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.job.log.map((l) => l.message);
}

/** Where MongoDB holds the job's lines: the log collection, and the job's own document (not yet moved). */
async function stored(app: App, id: string): Promise<{ moved: string[]; inJob: string[] }> {
  const _id = new Types.ObjectId(id);
  const [doc, job] = await Promise.all([app.mongo.db!.collection('joblogs').findOne({ _id }), app.mongo.db!.collection('jobs').findOne({ _id })]);
  const messages = (lines: unknown) => ((lines ?? []) as Array<{ message: string }>).map((l) => l.message);
  return { moved: messages(doc?.entries), inJob: messages(job?.recentLog) };
}

test('a job\'s lines are in its document with its state, read by any instance at once; once it ends the mover moves them, each shown once', async () => {
  const { id, leaseToken } = await claimOne(quick, 'CHANGE', 'MOVE_QUICK');
  // The other instance reads what MongoDB holds.
  const reader = paused;
  {
    expect(await logOf(reader, id)).toEqual(['created', 'claimed (attempt 1 of 3)']);
    expect(await stored(quick, id)).toEqual({ moved: [], inJob: ['created', 'claimed (attempt 1 of 3)'] });
    const answer = await complete(quick, id, leaseToken, 'done quickly');
    const expected = ['created', 'claimed (attempt 1 of 3)', 'done quickly'];
    expect(answer.status).toBe('COMPLETED');
    expect(answer.log.map((l) => l.message)).toEqual(expected);
    expect(await logOf(reader, id)).toEqual(expected);
    await until('the lines moved', async () => (await stored(quick, id)).inJob.length === 0, 10_000, 20);
    expect(await stored(quick, id)).toEqual({ moved: expected, inJob: [] });
    expect(await logOf(reader, id)).toEqual(expected);
    expect(await logOf(quick, id)).toEqual(expected);
  }
});

test('a retried job\'s link line, written after its lines were moved, is shown after them and moved in turn', async () => {
  const { id, leaseToken } = await claimOne(quick, 'DELETE_DRAFT', 'MOVE_RETRY');
  const failed = await gql<{ jobFail: { job: { status: string }; userErrors: unknown[] } }>(quick.url, FAIL, { i: { id, leaseToken, reason: 'broken', retryable: false } }, workerToken);
  expect(failed.body.data!.jobFail).toEqual({ job: { status: 'FAILED' }, userErrors: [] });
  const ended = ['created', 'claimed (attempt 1 of 3)', 'failed: broken'];
  await until('the failed job\'s lines moved', async () => (await stored(quick, id)).inJob.length === 0, 10_000, 20);
  expect(await stored(quick, id)).toEqual({ moved: ended, inJob: [] });

  const retried = await gql<{ jobRetry: { job: { id: string }; userErrors: unknown[] } }>(quick.url, RETRY, { i: { id } }, operator);
  expect(retried.body.data!.jobRetry.userErrors).toEqual([]);
  const link = `retried as ${retried.body.data!.jobRetry.job.id}`;
  // Read on the paused instance: whether or not the quick one has moved the link line yet, it is shown once, last.
  expect(await logOf(paused, id)).toEqual([...ended, link]);
  await until('the link line moved', async () => (await stored(quick, id)).inJob.length === 0, 10_000, 20);
  expect(await stored(quick, id)).toEqual({ moved: [...ended, link], inJob: [] });
  expect(await logOf(paused, id)).toEqual([...ended, link]);
});

test('a page of jobs neither reads the lines in the job documents nor sends a command to the log collection', async () => {
  const sub = 'move-list';
  const ids = await createJobs(paused.url, await token(['SUBMITTER'], sub), Array.from({ length: 3 }, (_, i) => ({ target: `MOVE_LIST_${i}`, operation: 'ADD' })));
  for (const id of ids) expect((await stored(paused, id)).inJob).toEqual(['created']);
  const commands: Array<{ name: string; collection: string; projection?: Record<string, unknown> }> = [];
  const listener = (e: { commandName: string; command: Record<string, unknown> }) =>
    commands.push({ name: e.commandName, collection: String(e.command[e.commandName]), projection: e.command.projection as Record<string, unknown> | undefined });
  // Command monitoring is on (instrument: true).
  paused.mongo.getClient().on('commandStarted', listener);
  let nodes: Array<{ id: string; status: string; log?: Array<{ message: string }> }> = [];
  try {
    nodes = (await gql<{ jobs: { nodes: typeof nodes } }>(paused.url, `query($f: JobFilter) { jobs(filter: $f, first: 20) { nodes { id status } } }`, { f: { createdBy: sub } }, viewer)).body.data!.jobs.nodes;
  } finally {
    paused.mongo.getClient().off('commandStarted', listener);
  }
  expect(nodes.map((n) => n.id).sort()).toEqual([...ids].sort());
  expect(commands.filter((c) => c.collection === 'joblogs')).toEqual([]);
  const finds = commands.filter((c) => c.name === 'find' && c.collection === 'jobs');
  expect(finds.length).toBeGreaterThan(0);
  for (const f of finds) expect(f.projection).toMatchObject({ recentLog: 0 });

  // Selecting `log`: the page's recent lines in one read by id, the log collection in one.
  commands.length = 0;
  paused.mongo.getClient().on('commandStarted', listener);
  try {
    nodes = (await gql<{ jobs: { nodes: typeof nodes } }>(paused.url, `query($f: JobFilter) { jobs(filter: $f, first: 20) { nodes { id status log { message } } } }`, { f: { createdBy: sub } }, viewer)).body.data!.jobs.nodes;
  } finally {
    paused.mongo.getClient().off('commandStarted', listener);
  }
  expect(nodes.map((n) => n.log!.map((l) => l.message))).toEqual([['created'], ['created'], ['created']]);
  expect(commands.filter((c) => c.collection === 'joblogs').map((c) => c.name)).toEqual(['find']);
  expect(commands.filter((c) => c.collection === 'jobs' && c.projection?.recentLog === 1)).toHaveLength(1);
});

test('an ended job whose move has not run yet keeps its lines in its document (shown by every instance); close() moves them before the connection closes', async () => {
  // An instance of this test's own (it is closed here; the file's others stay up for the other tests), its mover as slow.
  const own = await startTestApp({ file: import.meta.url, jwksUrl, name: paused.name, env: { JOB_LOG_MOVE_MS: '60000' }, appOptions: { background: false } });
  const { id, leaseToken } = await claimOne(own, 'PATCH_METADATA', 'MOVE_PAUSED');
  const expected = ['created', 'claimed (attempt 1 of 3)', 'done, not yet moved'];
  expect((await complete(own, id, leaseToken, 'done, not yet moved')).log.map((l) => l.message)).toEqual(expected);
  // The other instance (its mover never told of this job) reads it from the job document.
  const reader = quick;
  expect(await stored(reader, id)).toEqual({ moved: [], inJob: expected });
  expect(await logOf(reader, id)).toEqual(expected);
  await own.close();
  expect(await stored(reader, id)).toEqual({ moved: expected, inJob: [] });
  expect(await logOf(reader, id)).toEqual(expected);
});
