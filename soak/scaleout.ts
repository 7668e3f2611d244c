/**
 * Three instances under faults (`npm run soak:scaleout`; not part of `npm test`, bounded by SOAK_TIMEOUT_MS).
 *
 * Three processes of the built service share one database (the embedded FerretDB, or MONGODB_URI) and one
 * redis-server of this script's own with AOF on. Workers are attached to each instance; SOAK_JOBS jobs (2,000)
 * are created through all three, each run with progress reports through its stages. During the run: one
 * instance is killed with SIGKILL and started again, redis-server is killed and started again on its AOF, and
 * a 50-way duplicate race on one target is split across the instances. At the end it checks that every job is
 * terminal, none is lost, none was completed twice, the race created exactly one job, and the subscribers on
 * the two instances that were never killed saw every status change of the jobs they watched (jobEvents), each
 * job's events ordered by their `at` matching its log as the `jobs` query reports it (read through the API, so
 * the soak does not depend on how logs are stored). It prints its figures and ends with `N passed, N failed`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Connection } from 'mongoose';
import WebSocket from 'ws';
import { connectDatabase } from '../src/db/mongo.js';
import { freePort, startEmbedded, type EmbeddedBackends } from '../src/embedded/launcher.js';
import { createLogger } from '../src/logger.js';
import { JobWorker, type JobHandler } from '../src/worker-client/index.js';
import { pingRedis as ping } from '../test/harness/start.js';

const JOBS = Number(process.env.SOAK_JOBS ?? 2000);
const RACE = 50;
const TIMEOUT_MS = Number(process.env.SOAK_TIMEOUT_MS ?? 15 * 60_000);
const ISSUER = 'soak-issuer';
const AUDIENCE = 'job-service';
const SERVICE_MAIN = path.resolve('dist/src/main.js');
const started = Date.now();
const since = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stdout.write(`[${since()}] ${line}\n`);

const checks: Array<{ name: string; ok: boolean; detail: string }> = [];
function check(name: string, ok: boolean, detail: string): void {
  checks.push({ name, ok, detail });
  process.stdout.write(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}\n`);
}

async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}


/** A redis-server with AOF on (fsync every second) and noeviction, which the soak kills and starts again on the same folder. */
class AofRedis {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<number> {
    const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
    this.child = spawn(bin, ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
    await until('redis-server answering', () => ping(this.port), 20_000, 20);
    return Date.now();
  }
  async kill(signal: NodeJS.Signals): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }
}

/** One instance of the built service (`node dist/src/main.js`) on a fixed port, so it comes back where its workers look. */
class Instance {
  private child: ChildProcess | undefined;
  readonly url: string;
  constructor(
    readonly index: number,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly logFile: string,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }
  async start(): Promise<number> {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    const child = spawn(process.execPath, [SERVICE_MAIN], { env: { ...process.env, ...this.env, PORT: String(this.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.pipe(log);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`instance ${this.index} did not start: ${out.slice(-2000)}`)), 60_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        log.write(d);
        if (out.includes('job-service ready:')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`instance ${this.index} exited with ${code}: ${out.slice(-2000)}`));
      });
    });
    return Date.now();
  }
  /** Peak resident memory (VmHWM) in MiB, while it runs. */
  peakRssMiB(): number {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    } catch {
      return NaN;
    }
  }
  async kill(signal: NodeJS.Signals): Promise<void> {
    const c = this.child;
    this.child = undefined;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }
}

async function jwksServer() {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'soak', alg: 'ES256', use: 'sig' };
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const sign = (roles: string[], sub: string) =>
    new SignJWT({ roles }).setProtectedHeader({ alg: 'ES256', kid: 'soak' }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject(sub).setIssuedAt().setExpirationTime('3h').sign(privateKey);
  return { url: `http://127.0.0.1:${port}/jwks.json`, sign, close: () => new Promise((r) => server.close(r)) };
}

/** One GraphQL call; a transport failure (instance down, no answer within 2 minutes) comes back as an error, not a throw. */
async function gql<T>(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<{ data?: T; errors?: Array<{ message: string }> }> {
  try {
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }), signal: AbortSignal.timeout(120_000) });
    return (await res.json()) as { data?: T; errors?: Array<{ message: string }> };
  } catch (err) {
    return { errors: [{ message: `transport: ${(err as Error).message}` }] };
  }
}

type JobRead = { id: string; status: string; log: Array<{ status: string | null; message: string; at: string; actor: string }> };
const JOBS_PAGE = `query($after: String) { jobs(first: 100, after: $after) { nodes { id status log { at actor message status } } pageInfo { hasNextPage endCursor } } }`;

/** Every job with its log, through the `jobs` query, a page of 100 at a time. */
async function readJobs(url: string, token: string): Promise<JobRead[]> {
  const out: JobRead[] = [];
  for (let after: string | null = null; ; ) {
    type Page = { jobs: { nodes: JobRead[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const r: { data?: Page; errors?: Array<{ message: string }> } = await gql<Page>(url, token, JOBS_PAGE, { after });
    if (r.errors || !r.data) throw new Error(`reading jobs: ${r.errors?.[0]?.message ?? 'no data'}`);
    out.push(...r.data.jobs.nodes);
    if (!r.data.jobs.pageInfo.hasNextPage) return out;
    after = r.data.jobs.pageInfo.endCursor;
  }
}

const CREATE = `mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id } error { code } existingJob { id } } } }`;
type CreateResult = { jobsCreate: { results: Array<{ job: { id: string } | null; error: { code: string } | null; existingJob: { id: string } | null }> } };

interface SeenEvent {
  id: string;
  previousStatus: string | null;
  status: string;
  /** When the change was decided (JobEvent.at): a relayed event arrives late but keeps its time. */
  at: number;
}

function subscribe(url: string, token: string, seen: SeenEvent[], errors: unknown[]): Client {
  const client = createClient({ url: `${url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  client.subscribe<{ jobEvents: { kind: string; previousStatus: string | null; at: string; job: { id: string; status: string } } }>(
    { query: 'subscription { jobEvents(filter: { operations: [ADD] }) { kind previousStatus at job { id status } } }' },
    {
      next: (r) => {
        const e = r.data?.jobEvents;
        if (e?.kind === 'STATUS_CHANGED') seen.push({ id: e.job.id, previousStatus: e.previousStatus, status: e.job.status, at: Date.parse(e.at) });
      },
      error: (err) => errors.push(err),
      complete: () => undefined,
    },
  );
  return client;
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    process.stdout.write(`soak did not finish within ${TIMEOUT_MS} ms (SOAK_TIMEOUT_MS)\n0 passed, 1 failed\n`);
    process.exit(1);
  }, TIMEOUT_MS);
  watchdog.unref();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'job-service-soak-'));
  const dbName = `soak_${Date.now().toString(36)}`;
  let embedded: EmbeddedBackends | undefined;
  const instances: Instance[] = [];
  const clients: Client[] = [];
  const workers: JobWorker[] = [];
  let redis: AofRedis | undefined;
  let mongo: Connection | undefined;
  let jwks: Awaited<ReturnType<typeof jwksServer>> | undefined;
  try {
    let mongoUri = process.env.MONGODB_URI;
    if (!mongoUri) {
      embedded = await startEmbedded({ dataDir: dir, ferretdbBin: path.resolve(process.env.FERRETDB_BIN ?? '.tools/ferretdb'), redisServerBin: 'redis-server', persistRedis: false, logger: createLogger('warn', 'soak'), needMongo: true, needRedis: false });
      mongoUri = embedded.mongoUri!;
    }
    mongoUri = mongoUri.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?/, `$1/${dbName}`);
    mkdirSync(path.join(dir, 'redis'));
    redis = new AofRedis(await freePort(), path.join(dir, 'redis'));
    await redis.start();
    jwks = await jwksServer();
    const env = {
      NODE_ENV: 'test', MONGODB_URI: mongoUri, REDIS_URL: redis.url, REDIS_KEY_PREFIX: '{soak}:', JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE,
      LOG_LEVEL: 'warn', DATA_DIR: path.join(dir, 'data'), ADMIN_DIR: '', LEASE_SECONDS: '10', REAPER_INTERVAL_MS: '500', RECONCILE_INTERVAL_MS: '2000',
      RETRY_BACKOFF_BASE_MS: '200', RETRY_BACKOFF_MAX_MS: '2000', MONGO_TIMEOUT_MS: '20000', REDIS_COMMAND_TIMEOUT_MS: '5000', SHUTDOWN_TIMEOUT_MS: '5000',
    };
    for (let i = 0; i < 3; i++) instances.push(new Instance(i, await freePort(), env, path.join(dir, `instance-${i}.log`)));
    await Promise.all(instances.map((x) => x.start()));
    mongo = (await connectDatabase(mongoUri, dbName, { timeoutMs: 20_000 })).conn;
    say(`3 instances up (${instances.map((x) => x.url).join(', ')}), redis-server with AOF on port ${redis.port}, database ${dbName}`);

    const submitter = await jwks.sign(['SUBMITTER'], 'soak-submitter');
    const viewer = await jwks.sign(['VIEWER'], 'soak-viewer');
    const workerToken = await jwks.sign(['WORKER'], 'soak-worker');

    // Subscribers on every instance; the killed one's (instance 1) are not judged.
    const seen: SeenEvent[][] = instances.map(() => []);
    const subErrors: unknown[][] = instances.map(() => []);
    instances.forEach((x, i) => clients.push(subscribe(x.url, viewer, seen[i]!, subErrors[i]!)));

    // Workers: two per instance, four jobs in flight each; each job reports two stages and its progress.
    const completions = new Map<string, number>();
    const runs = new Map<string, number>();
    const completedVia = instances.map(() => 0);
    const handler: JobHandler = async (job, ctx) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      await ctx.reportProgress({ status: 'VALIDATING', progress: 0.2 });
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      await ctx.reportProgress({ status: 'IMPORTING', progress: 0.6, message: 'importing' });
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      await ctx.reportProgress({ progress: 0.9 });
    };
    instances.forEach((x, i) => {
      for (let w = 0; w < 2; w++) {
        workers.push(
          new JobWorker({
            url: x.url, token: workerToken, workerId: `soak-${i}-${w}`, operations: ['ADD'], handler, concurrency: 4, waitSeconds: 2, fetchTimeoutMs: 15_000,
            onEvent: (e) => {
              if (e.event === 'completed') {
                completions.set(e.id, (completions.get(e.id) ?? 0) + 1);
                completedVia[i]!++;
              }
            },
          }),
        );
      }
    });
    const runStarted = Date.now();
    workers.forEach((w) => w.start());

    // Jobs, created through all three instances in batches of 100.
    const ids: string[] = [];
    const createErrors: string[] = [];
    const creating = (async () => {
      for (let start = 0, n = 0; start < JOBS; start += 100, n++) {
        const items = Array.from({ length: Math.min(100, JOBS - start) }, (_, k) => ({ target: `SOAK_${start + k}`, operation: 'ADD', maxAttempts: 5 }));
        const target = instances[n % 3]!;
        for (let attempt = 1; ; attempt++) {
          try {
            const r = await gql<CreateResult>(target.url, submitter, CREATE, { i: { items } });
            if (r.errors) throw new Error(r.errors[0]!.message);
            for (const res of r.data!.jobsCreate.results) {
              if (res.job) ids.push(res.job.id);
              // A retried batch whose first try got through (its answer lost to the fault): the job is ours.
              else if (attempt > 1 && res.error?.code === 'DUPLICATE_IN_PROGRESS' && res.existingJob) ids.push(res.existingJob.id);
              else createErrors.push(res.error?.code ?? 'unknown');
            }
            break;
          } catch (err) {
            // An instance down or Redis restarting: that batch goes to the next instance (a batch is all or nothing per item; DUPLICATE on a retry is counted).
            if (attempt >= 10) throw err;
            await new Promise((r) => setTimeout(r, 300));
          }
        }
      }
    })();
    const completedCount = () => mongo!.collection('jobs').countDocuments({ status: 'COMPLETED' });

    // Fault 1: SIGKILL instance 1 at a quarter, start it again.
    await until('a quarter completed', async () => (await completedCount()) >= JOBS / 4, TIMEOUT_MS);
    const victim = instances[1]!;
    const peakBeforeKill = victim.peakRssMiB();
    const killAt = Date.now();
    await victim.kill('SIGKILL');
    say(`instance 1 killed (SIGKILL) at ${await completedCount()} completed`);
    await new Promise((r) => setTimeout(r, 2000));
    const instanceBack = await victim.start();
    say(`instance 1 started again: down ${instanceBack - killAt} ms`);

    // Fault 2: SIGKILL redis-server at half (AOF on; later when the instance's restart took long, so jobs are still
    // running), start it again on the same folder.
    const redisKillWhen = Math.min(JOBS * 0.8, Math.max(JOBS / 2, (await completedCount()) + JOBS / 10));
    await until('half completed', async () => (await completedCount()) >= redisKillWhen, TIMEOUT_MS);
    const redisKillAt = Date.now();
    await redis.kill('SIGKILL');
    say(`redis-server killed (SIGKILL) at ${await completedCount()} completed`);
    await new Promise((r) => setTimeout(r, 1000));
    const redisBack = await redis.start();
    say(`redis-server started again on its AOF: down ${redisBack - redisKillAt} ms`);

    // The race: 50 creations of one target at once, split across the three instances. The job waits an hour (runAt),
    // so a creation retried after a SERVICE_UNAVAILABLE still meets it in progress; it is cancelled afterwards.
    const raceItem = { target: 'SOAK_RACE', operation: 'ADD', maxAttempts: 5, runAt: new Date(Date.now() + 3_600_000).toISOString() };
    const raceResults = await Promise.all(Array.from({ length: RACE }, (_, k) => gql<CreateResult>(instances[k % 3]!.url, submitter, CREATE, { i: { items: [raceItem] } })));
    const isDuplicate = (r: (typeof raceResults)[number]) => r.data?.jobsCreate.results[0]?.error?.code === 'DUPLICATE_IN_PROGRESS';
    const firstTry = { created: raceResults.filter((r) => r.data?.jobsCreate.results[0]?.job).length, duplicates: raceResults.filter(isDuplicate).length, unavailable: raceResults.filter((r) => r.errors).length };
    // An answer with an error (a backend slower than its bound: SERVICE_UNAVAILABLE) is retried, as a client would.
    for (const [k, r] of raceResults.entries()) {
      if (r.errors) raceResults[k] = await gql<CreateResult>(instances[k % 3]!.url, submitter, CREATE, { i: { items: [raceItem] } });
    }
    const raceCreated = raceResults.flatMap((r) => r.data?.jobsCreate.results.filter((x) => x.job).map((x) => x.job!.id) ?? []);
    const raceDuplicates = raceResults.filter(isDuplicate).length;
    const raceOther = raceResults.filter((r) => r.errors || (r.data?.jobsCreate.results[0]?.error && !isDuplicate(r)));
    const raceOtherKinds = [...new Set(raceOther.map((r) => r.errors?.[0]?.message ?? r.data?.jobsCreate.results[0]?.error?.code))];
    const raceExisting = new Set(raceResults.flatMap((r) => r.data?.jobsCreate.results.map((x) => x.existingJob?.id).filter(Boolean) ?? []));
    const raceInMongo = await mongo.collection('jobs').countDocuments({ target: 'SOAK_RACE' });
    const operator = await jwks.sign(['OPERATOR'], 'soak-operator');
    for (const id of raceCreated) await gql(instances[0]!.url, operator, 'mutation($i: JobCancelInput!) { jobCancel(input: $i) { userErrors { code } } }', { i: { id, reason: 'soak race: done' } });

    await creating;
    const all = [...new Set([...ids, ...raceCreated])];
    const total = all.length;
    await until('every job terminal', async () => (await mongo!.collection('jobs').countDocuments({ status: { $nin: ['COMPLETED', 'FAILED', 'CANCELLED'] } })) === 0 && (await mongo!.collection('jobs').countDocuments({})) >= total, TIMEOUT_MS, 500);
    const runMs = Date.now() - runStarted;
    await Promise.all(workers.map((w) => w.stop()));

    // The record as the service reports it (every job with its log, through the API: independent of how logs are
    // stored), and what the subscribers saw.
    const docs = await readJobs(instances[0]!.url, viewer);
    const byStatus: Record<string, number> = {};
    for (const d of docs) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
    const known = new Set(docs.map((d) => d.id));
    const lost = all.filter((id) => !known.has(id));
    const completedTwice = [...completions.entries()].filter(([, n]) => n > 1);
    const completedLogTwice = docs.filter((d) => d.log.filter((l) => l.status === 'COMPLETED').length > 1);
    const rerun = [...runs.values()].filter((n) => n > 1).length;

    // A job's status changes, in order of time, as its log records them (every change appends an entry with its status).
    const expected = new Map<string, string[]>();
    const stepEntries = new Map<string, JobRead['log']>();
    for (const d of docs) {
      const steps: string[] = [];
      const entries: JobRead['log'] = [];
      let last = 'QUEUED';
      for (const entry of [...d.log].sort((x, y) => Date.parse(x.at) - Date.parse(y.at))) {
        if (!entry.status || entry.status === last) continue;
        steps.push(`${last}>${entry.status}`);
        entries.push(entry);
        last = entry.status;
      }
      expected.set(d.id, steps);
      stepEntries.set(d.id, entries);
    }
    // Events still in flight to the subscribers after the last job ended: wait for the last one's terminal event.
    const survivors = [0, 2];
    await until('subscribers caught up', () => survivors.every((i) => seen[i]!.length >= [...expected.values()].reduce((n, s) => n + s.length, 0)), 20_000, 200).catch(() => undefined);
    // Where the first difference of each mismatched job lies: within 2 s before a fault to 15 s after its recovery, or elsewhere.
    const nearFault = { instance: 0, redis: 0, elsewhere: 0 };
    const missing = survivors.map((i) => {
      // Each job's events in order of their decisions (`at`; a stable sort keeps the arrival order of equal times).
      const got = new Map<string, string[]>();
      for (const e of [...seen[i]!].sort((x, y) => x.at - y.at)) got.set(e.id, [...(got.get(e.id) ?? []), `${e.previousStatus}>${e.status}`]);
      const misses: string[] = [];
      for (const [id, steps] of expected) {
        const have = got.get(id) ?? [];
        if (have.join(',') === steps.join(',')) continue;
        // The first change that differs, when it was recorded (against the two faults), by whom and with what message.
        const k = steps.findIndex((step, n) => have[n] !== step);
        const entry = k >= 0 ? stepEntries.get(id)![k] : undefined;
        const at = entry ? new Date(entry.at).getTime() : NaN;
        const when = entry ? `, recorded ${((at - killAt) / 1000).toFixed(2)} s after instance 1's kill and ${((at - redisKillAt) / 1000).toFixed(2)} s after redis-server's by ${entry.actor} ("${entry.message}")` : '';
        misses.push(`${id}: log ${steps.join(',')} / seen ${have.join(',')}${when}`);
        const near = (from: number, to: number) => at >= from - 2_000 && at <= to + 15_000;
        nearFault[near(killAt, instanceBack) ? 'instance' : near(redisKillAt, redisBack) ? 'redis' : 'elsewhere']++;
      }
      return misses;
    });

    // Events that a relay published for an instance that decided the change but did not publish it (its log lines).
    // And status changes an instance delivered to its own subscribers after its Redis subscription broke (the restart).
    let relayed = 0;
    const replayed = instances.map(() => 0);
    for (const x of instances) {
      const log = readFileSync(path.join(dir, `instance-${x.index}.log`), 'utf8');
      for (const m of log.matchAll(/"events":(\d+),"msg":"relayed events/g)) relayed += Number(m[1]);
      for (const m of log.matchAll(/"events":(\d+),"msg":"delivered status changes missed/g)) replayed[x.index]! += Number(m[1]);
    }
    say('figures:');
    process.stdout.write(
      [
        `  jobs: ${ids.length} created (${createErrors.length} refused at creation: ${[...new Set(createErrors)].join(', ') || 'none'}) + ${raceCreated.length} from the race; by status ${JSON.stringify(byStatus)}`,
        `  run: ${(runMs / 1000).toFixed(1)} s from the first worker to the last job terminal, ${(total / (runMs / 1000)).toFixed(0)} jobs/s over three instances and six workers of four jobs each`,
        `  completed through instance 0 / 1 / 2 (the workers attached to it): ${completedVia.join(' / ')}`,
        `  jobs run more than once by a worker (lease lost to a fault, then run again): ${rerun}; accepted completions per job above 1: ${completedTwice.length}`,
        `  instance 1: killed with SIGKILL, ready again ${instanceBack - killAt} ms later (2,000 ms of it waiting); peak RSS before the kill ${peakBeforeKill.toFixed(0)} MiB`,
        `  redis-server: killed with SIGKILL, answering again ${redisBack - redisKillAt} ms later (1,000 ms of it waiting)`,
        `  race: ${RACE} creations of one target across three instances: first try ${firstTry.created} created, ${firstTry.duplicates} DUPLICATE_IN_PROGRESS, ${firstTry.unavailable} errors (retried); in the end ${raceCreated.length} created, ${raceDuplicates} DUPLICATE_IN_PROGRESS (pointing at ${raceExisting.size} job), ${raceOther.length} other answers${raceOther.length ? ` (${raceOtherKinds.join('; ')})` : ''}; ${raceInMongo} job of that target in MongoDB`,
        `  subscribers (jobEvents, STATUS_CHANGED): instance 0 saw ${seen[0]!.length}, instance 2 saw ${seen[2]!.length}, the log records ${[...expected.values()].reduce((n, s) => n + s.length, 0)}; instance 1's (killed) saw ${seen[1]!.length}`,
        `  events relayed (decided by an instance that did not publish them within EVENT_RELAY_GRACE_MS, published by another): ${relayed}; delivered after a broken subscription came back, on instance 0 / 1 / 2: ${replayed.join(' / ')}`,
        `  jobs whose events differ from their log, both subscribers together, by where the first difference lies: around instance 1's kill ${nearFault.instance}, around the Redis restart ${nearFault.redis}, elsewhere ${nearFault.elsewhere}`,
        `  peak RSS of the instances at the end: ${instances.map((x) => `${x.peakRssMiB().toFixed(0)} MiB`).join(' / ')}`,
        `  logs: ${dir}`,
      ].join('\n') + '\n',
    );

    check('every job terminal', docs.every((d) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(d.status)), JSON.stringify(byStatus));
    check('none lost', lost.length === 0 && docs.length === total, `${docs.length} in MongoDB, ${total} created, ${lost.length} missing`);
    check('every job completed (the race\'s job cancelled)', (byStatus.COMPLETED ?? 0) === total - raceCreated.length && (byStatus.CANCELLED ?? 0) === raceCreated.length, JSON.stringify(byStatus));
    check('none completed twice', completedTwice.length === 0 && completedLogTwice.length === 0, `${completedTwice.length} jobs with two accepted completions, ${completedLogTwice.length} with two COMPLETED log entries`);
    check('the race created exactly one job', raceCreated.length === 1 && raceInMongo === 1 && raceDuplicates === RACE - 1 && raceExisting.size === 1 && raceExisting.has(raceCreated[0]), `${raceCreated.length} created, ${raceDuplicates} duplicates, ${raceOther.length} other answers, ${raceInMongo} in MongoDB`);
    for (const [k, i] of survivors.entries()) {
      check(`subscriber on instance ${i} saw every status change`, missing[k]!.length === 0 && subErrors[i]!.length === 0, `${missing[k]!.length} jobs differ${missing[k]!.length ? ` (${missing[k]!.slice(0, 12).join('; ')})` : ''}; ${subErrors[i]!.length} subscription errors`);
    }
    if (checks.every((c) => c.ok)) rmSync(dir, { recursive: true, force: true });
  } catch (err) {
    check('the soak ran to the end', false, (err as Error).stack ?? String(err));
    process.stdout.write(`  logs: ${dir}\n`);
  } finally {
    await Promise.all(workers.map((w) => w.stop({ graceful: false, timeoutMs: 1000 }).catch(() => undefined)));
    await Promise.all(clients.map((c) => c.dispose()));
    await Promise.all(instances.map((x) => x.kill('SIGTERM')));
    await redis?.kill('SIGTERM');
    await mongo?.close();
    await jwks?.close();
    await embedded?.stop();
  }
  const passed = checks.filter((c) => c.ok).length;
  process.stdout.write(`${passed} passed, ${checks.length - passed} failed\n`);
  process.exit(checks.length - passed === 0 ? 0 : 1);
}

void main();
