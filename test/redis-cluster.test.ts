import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../src/app.js';
import { ConfigError, loadConfig } from '../src/config.js';
import { closeRedis, connectRedis, connectRedisCluster, redisSettingWarnings, subscribeTo, type RedisClient } from '../src/db/redis.js';
import { freePort } from '../src/embedded/launcher.js';
import { RedisQueue } from '../src/queue/index.js';
import { JobWorker, type JobHandler } from '../src/worker-client/index.js';
import { backends, onFileEnd, type Backends } from './harness/backends.js';
import { createJobs, gql, startAppWithIssuer, startTestApp } from './harness/app.js';
import { startLoneClusterNode, startRedisCluster, whyNoCluster, type RedisClusterBackend } from './harness/redisCluster.js';
import { SERVICE_MAIN, whyNoBuiltService } from './harness/serviceProcess.js';
import { until } from './harness/until.js';

/**
 * The queue, subscriptions and recovery against a real Redis Cluster of three masters (redis-server with
 * cluster-enabled, joined by redis-cli --cluster create), started by the harness for this file; MongoDB is the
 * file's usual backend. Also the start-up refusals: a prefix without a hash tag, a cluster nobody answers for,
 * a cluster with uncovered slots.
 */
const noCluster = await whyNoCluster();
if (noCluster) throw new Error(`this file needs a local Redis Cluster: ${noCluster}`);

let cluster: RedisClusterBackend;
let clusterBackends: Backends;
const clients: Client[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  clusterBackends = { ...(await backends()), redisClusterNodes: cluster.nodesEnv };
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

const tagged = () => `{t_cluster_${randomBytes(4).toString('hex')}}:`;

async function clusterClient(): Promise<RedisClient> {
  const parsed = loadConfig({ REDIS_CLUSTER_NODES: cluster.nodesEnv, REDIS_KEY_PREFIX: '{x}:' }).redisCluster!;
  const c = await connectRedisCluster(parsed, 'cluster-test', { commandTimeoutMs: 10_000 });
  onFileEnd(() => closeRedis(c));
  return c;
}

describe('start-up', () => {
  test('a key prefix without a hash tag is refused in cluster mode, with the reason; a tagged one is taken', () => {
    let error: unknown;
    try {
      loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_KEY_PREFIX: 'js:' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^REDIS_KEY_PREFIX: "js:" has no hash tag: in Redis Cluster every key a queue script touches must be in one hash slot/)]);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_KEY_PREFIX: '{}:' })).toThrow(/has no hash tag/);
    const config = loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000, redis://u:p%40ss@10.0.0.2:7001' });
    expect(config.redisKeyPrefix).toBe('{js}:');
    expect(config.redisCluster).toEqual({ nodes: [{ host: '127.0.0.1', port: 7000 }, { host: '10.0.0.2', port: 7001 }], username: 'u', password: 'p@ss', tls: false });
    // Outside cluster mode an untagged prefix stays valid (one Redis has no slots).
    expect(loadConfig({ REDIS_KEY_PREFIX: 'js:' }).redisKeyPrefix).toBe('js:');
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/set one of them, not both/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'http://h:1' })).toThrow(/REDIS_CLUSTER_NODES: "http:" is not redis: or rediss:/);
  });

  test('the built service refuses a cluster whose nodes do not answer: one line on stderr, exit 1', async () => {
    const reason = whyNoBuiltService();
    if (reason) throw new Error(reason);
    const dead = [await freePort(), await freePort()].map((p) => `127.0.0.1:${p}`).join(',');
    const { mongoUri } = await backends();
    const child = spawn(process.execPath, [SERVICE_MAIN], {
      env: { ...process.env, NODE_ENV: 'test', PORT: '0', MONGODB_URI: mongoUri, REDIS_CLUSTER_NODES: dead, REDIS_CONNECT_TIMEOUT_MS: '1000', LOG_LEVEL: 'fatal', JWKS_URL: 'http://127.0.0.1:9/jwks' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `job-service: Redis Cluster: none of the nodes in REDIS_CLUSTER_NODES (${dead.replace(',', ', ')}) answered within 1000 ms (REDIS_CONNECT_TIMEOUT_MS)`,
    ]);
  }, 60_000);

  test('a cluster whose slots are not all served fails with one message: none at all, then half of them, also with full coverage not required', async () => {
    const lone = await startLoneClusterNode();
    const config = loadConfig({ REDIS_CLUSTER_NODES: `127.0.0.1:${lone.port}` }).redisCluster!;
    const message = (n: number, state: string) =>
      `Redis Cluster (127.0.0.1:${lone.port}): ${n} of 16384 hash slots are served by no node (${state}), so keys in them cannot be read or written; assign every slot (redis-cli --cluster check / fix) and start again`;
    await expect(connectRedisCluster(config, 't', { connectTimeoutMs: 1_000 })).rejects.toThrow(message(16384, `cluster_state:fail on 127.0.0.1:${lone.port}`));
    await lone.client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '8191');
    await expect(connectRedisCluster(config, 't', { connectTimeoutMs: 1_000 })).rejects.toThrow(message(8192, `cluster_state:fail on 127.0.0.1:${lone.port}`));
    // A cluster told to serve what it has (cluster-require-full-coverage no) reports ok: still refused, the gap named.
    await lone.client.config('SET', 'cluster-require-full-coverage', 'no');
    await until('cluster_state:ok', async () => String(await lone.client.cluster('INFO')).includes('cluster_state:ok'), 10_000, 50);
    await expect(connectRedisCluster(config, 't', { connectTimeoutMs: 5_000 })).rejects.toThrow(message(8192, `cluster_state:ok on 127.0.0.1:${lone.port}`));
  }, 60_000);

  test('settings that can lose queue data are reported per master; a Redis that hides CONFIG is reported as unchecked', async () => {
    const c = await clusterClient();
    const warnings = await redisSettingWarnings(c);
    expect(warnings).toHaveLength(3); // the test cluster runs without persistence
    for (const port of cluster.ports) expect(warnings).toContainEqual(expect.stringContaining(`Redis persistence is off on 127.0.0.1:${port}`));
    await cluster.masters[0]!.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      expect(await redisSettingWarnings(c)).toContainEqual(`Redis maxmemory-policy is allkeys-lru on 127.0.0.1:${cluster.ports[0]}, not noeviction: under memory pressure Redis may evict queue keys (leases, ready jobs); set maxmemory-policy noeviction`);
      await cluster.masters[1]!.config('SET', 'appendonly', 'yes');
      expect((await redisSettingWarnings(c)).filter((w) => w.includes(`127.0.0.1:${cluster.ports[1]}`))).toEqual([]);
    } finally {
      await cluster.masters[0]!.config('SET', 'maxmemory-policy', 'noeviction');
      await cluster.masters[1]!.config('SET', 'appendonly', 'no');
    }
    // A managed Redis that renames CONFIG away: one Redis started so, the check says it could not look.
    const lone = await startLoneRedisWithoutConfig();
    const r = await connectRedis(lone, 't');
    try {
      expect(await redisSettingWarnings(r)).toEqual([expect.stringMatching(/^could not read Redis settings \(CONFIG GET: ERR unknown command 'CONFIG'.*make sure maxmemory-policy is noeviction and AOF or RDB persistence is on$/)]);
    } finally {
      await closeRedis(r);
    }
  }, 60_000);
});

async function startLoneRedisWithoutConfig(): Promise<string> {
  const port = await freePort();
  const child = spawn(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--rename-command', 'CONFIG', '""'], { stdio: 'ignore' });
  onFileEnd(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  });
  const probe = await connectRedis(`redis://127.0.0.1:${port}`, 'probe', { connectTimeoutMs: 5_000 }).catch(async () => {
    await new Promise((r) => setTimeout(r, 300));
    return connectRedis(`redis://127.0.0.1:${port}`, 'probe', { connectTimeoutMs: 5_000 });
  });
  await closeRedis(probe);
  return `redis://127.0.0.1:${port}`;
}

describe('the queue on three masters', () => {
  test('every key of a tagged prefix lives on one master; hydrate, claim, progress and finish work there', async () => {
    const redis = await clusterClient();
    const prefix = tagged();
    const queue = new RedisQueue({ redis, prefix, leaseMs: 10_000 });
    onFileEnd(() => queue.close());
    expect(await queue.markRestored(0, 'test')).toBe(true);
    const ids = ['a1', 'a2', 'a3'].map((n) => `000000000000000000000${n}`);
    for (const id of ids) expect((await queue.hydrate({ id, state: 'ready', status: 'QUEUED', seq: 1, operation: 'ADD', maxAttempts: 2 })).code).toBe('OK');
    const claim = await queue.claim({ workerId: 'w1', operations: ['ADD'], max: 2 });
    expect(claim.reason).toBeNull();
    expect(claim.jobs.map((j) => j.id)).toEqual(ids.slice(0, 2));
    const [first, second] = claim.jobs as Array<(typeof claim.jobs)[number] & { token: string }>;
    expect((await queue.extend(first!.id, first!.token, { status: 'VALIDATING', allowedFrom: ['INITIATED'], progress: 0.5 })).ok).toBe(true);
    expect(await queue.finish(first!.id, first!.token, { outcome: 'complete' })).toMatchObject({ ok: true, outcome: 'OK' });
    expect(await queue.finish(second!.id, second!.token, { outcome: 'fail', retryable: true })).toMatchObject({ ok: true, outcome: 'RETRY_SCHEDULED' });
    expect(await queue.counts()).toMatchObject({ leased: 0, ready: 1, delayed: 1 });

    // All of the prefix's keys sit on one master: the others hold none of them.
    const holders = await Promise.all(cluster.masters.map(async (m) => (await m.keys(`${prefix}*`)).length));
    expect(holders.filter((n) => n > 0)).toHaveLength(1);
    expect(holders.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(5);
  });

  test('without the hash tag the same scripts are refused by the cluster (why the tag is required)', async () => {
    const redis = await clusterClient();
    const queue = new RedisQueue({ redis, prefix: `t_untagged_${randomBytes(4).toString('hex')}:`, leaseMs: 10_000 });
    onFileEnd(() => queue.close());
    await expect(
      (async () => {
        await queue.markRestored(0, 'test');
        await queue.hydrate({ id: '0000000000000000000000b1', state: 'ready', status: 'QUEUED', seq: 1, operation: 'ADD', maxAttempts: 1 });
        await queue.claim({ workerId: 'w', operations: ['ADD', 'CHANGE'] });
      })(),
    ).rejects.toThrow(/non local key|do not hash to the same slot|CROSSSLOT|MOVED/);
  });

  test('wake-ups travel on a sharded channel: an enqueue (SPUBLISH in a script) and a resume (SPUBLISH in MULTI) reach a sharded subscriber and end a long poll', async () => {
    const redis = await clusterClient();
    const prefix = tagged();
    const queue = new RedisQueue({ redis, prefix, leaseMs: 10_000 });
    onFileEnd(() => queue.close());
    await queue.markRestored(0, 'test');
    const wake = `${prefix}wake`;
    const heard: string[] = [];
    const probe = await subscribeTo(redis, 'probe', [wake], (channel, message) => channel === wake && heard.push(message));
    onFileEnd(() => closeRedis(probe));
    // Sharded subscribers of a channel, counted on every master (each answers for its own slots).
    const subscribers = async () => (await Promise.all(cluster.masters.map(async (m) => Number(((await m.call('PUBSUB', 'SHARDNUMSUB', wake)) as [string, number])[1])))).reduce((a, b) => a + b, 0);
    expect(await subscribers()).toBe(1);

    await queue.hydrate({ id: '0000000000000000000000c1', state: 'ready', status: 'QUEUED', seq: 1, operation: 'CHANGE', maxAttempts: 1 });
    await until('the enqueue heard', () => heard.includes('CHANGE'), 10_000, 20);

    // Paused, the long poll's own look finds nothing claimable: only the resume's message can end it.
    await queue.setPaused(true);
    const paused = queue.waitForWork(['PATCH_METADATA'], 20_000);
    await until('the long poll subscribed', async () => (await subscribers()) === 2, 10_000, 20);
    await queue.setPaused(false);
    expect(await paused).toBe('WORK');
    // The probe is another connection: its copy of the message may arrive just after the long poll's.
    await until('the resume heard by the probe', () => heard.includes('*'), 10_000, 20);
    expect(heard).toEqual(['CHANGE', '*']);
  });
});

describe('the service on three masters', () => {
  test('two instances: a job driven through B is seen by a subscriber on A, every status change in order', async () => {
    const { app: a, token, jwks } = await startAppWithIssuer({ file: import.meta.url, backends: clusterBackends });
    const b = await startTestApp({ file: import.meta.url, jwksUrl: jwks.url, name: (a as App & { name: string }).name, backends: clusterBackends });
    expect(a.config.redisKeyPrefix).toMatch(/^\{t_.*\}:$/);
    const status = await gql<{ serviceStatus: { backends: Array<{ name: string; up: boolean; embedded: boolean }> } }>(a.url, '{ serviceStatus { backends { name up embedded } } }', {}, await token(['ADMIN'], 'ada'));
    expect(status.body.data!.serviceStatus.backends.find((x) => x.name === 'redis')).toEqual({ name: 'redis', up: true, embedded: false });
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).toBe(200); // its Redis check (PING) answers on a cluster
    const submitter = await token(['SUBMITTER'], 'sue');
    const worker = await token(['WORKER'], 'bot');
    const viewer = await token(['VIEWER'], 'vic');
    const [id] = await createJobs(b.url, submitter, [{ target: 'CLUSTER_LIVE', operation: 'ADD' }]);

    const events: Array<{ kind: string; previousStatus: string | null; job: { id: string; status: string } }> = [];
    const c = createClient({ url: `${a.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${viewer}` }, retryAttempts: 0 });
    clients.push(c);
    const before = a.bus.subscriberCount('job');
    c.subscribe<{ jobUpdated: (typeof events)[number] }>(
      { query: 'subscription($id: ID!) { jobUpdated(id: $id) { kind previousStatus job { id status } } }', variables: { id } },
      { next: (r) => r.data && events.push(r.data.jobUpdated), error: () => undefined, complete: () => undefined },
    );
    await until('subscribed on A', () => a.bus.subscriberCount('job') > before, 20_000, 20);

    const call = <T>(query: string, input: Record<string, unknown>) => gql<T>(b.url, query, { i: input }, worker);
    const claim = await call<{ jobClaim: { lease: { token: string; job: { id: string } } } }>(`mutation($i: JobClaimInput!) { jobClaim(input: $i) { lease { token job { id } } } }`, { workerId: 'cluster-w', operations: ['ADD'] });
    expect(claim.body.data!.jobClaim.lease.job.id).toBe(id);
    const leaseToken = claim.body.data!.jobClaim.lease.token;
    for (const status of ['VALIDATING', 'IMPORTING']) {
      const r = await call<{ jobReportProgress: { userErrors: unknown[] } }>(`mutation($i: JobReportProgressInput!) { jobReportProgress(input: $i) { userErrors { code } } }`, { id, leaseToken, status, progress: 0.5 });
      expect(r.body.data!.jobReportProgress.userErrors).toEqual([]);
    }
    await call(`mutation($i: JobCompleteInput!) { jobComplete(input: $i) { userErrors { code } } }`, { id, leaseToken });
    await until('4 status changes on A', () => events.filter((e) => e.kind === 'STATUS_CHANGED').length >= 4, 20_000, 20);
    expect(events.filter((e) => e.kind === 'STATUS_CHANGED').map((e) => [e.previousStatus, e.job.status])).toEqual([
      ['QUEUED', 'INITIATED'],
      ['INITIATED', 'VALIDATING'],
      ['VALIDATING', 'IMPORTING'],
      ['IMPORTING', 'COMPLETED'],
    ]);
  }, 120_000);

  test('the whole cluster loses its data (FLUSHALL on every master) mid-run with 3 workers: nothing lost, none run twice', async () => {
    const { app, token } = await startAppWithIssuer({
      file: import.meta.url,
      backends: clusterBackends,
      env: { LEASE_SECONDS: '5', REAPER_INTERVAL_MS: '200', RECONCILE_INTERVAL_MS: '300', RETRY_BACKOFF_BASE_MS: '100', RETRY_BACKOFF_MAX_MS: '400' },
    });
    const submitter = await token(['SUBMITTER'], 'sue');
    const workerToken = await token(['WORKER'], 'bot');
    const total = 90;
    const ids = await createJobs(app.url, submitter, Array.from({ length: total }, (_, i) => ({ target: `CLUSTER_FLUSH_${i}`, operation: 'ADD' })));
    const finished = new Set<string>();
    const runs = new Map<string, number>();
    const handler: JobHandler = async (job, ctx) => {
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 20));
      await ctx.reportProgress({ progress: 0.5 });
      await new Promise((r) => setTimeout(r, 20));
      finished.add(job.id);
    };
    const workers = Array.from({ length: 3 }, (_, i) => new JobWorker({ url: app.url, token: workerToken, workerId: `cluster-flush-${i}`, operations: ['ADD'], handler, waitSeconds: 1, concurrency: 3 }));
    workers.forEach((w) => w.start());
    try {
      await until('a third done', () => finished.size >= total / 3, 120_000);
      const epochBefore = await app.queue.epoch();
      await cluster.flushAll();
      await until('every job completed', async () => (await app.mongo.collection('jobs').countDocuments({ status: 'COMPLETED' })) === total, 180_000);
      expect(await app.queue.epoch()).not.toBe(epochBefore); // the queue was rebuilt, not untouched
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
    }
    expect(ids.every((id) => finished.has(id))).toBe(true);
    expect([...runs.entries()].filter(([, n]) => n !== 1)).toEqual([]);
  }, 300_000);
});
