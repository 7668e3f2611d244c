import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { fmt, markdownTable, ratio, tally, verdict, writeResults, type Row } from './report.js';
import { measure, summarize, type Sample, type Summary } from './load.js';
import { steadyPass, serviceSteps } from './scenarios/claim.js';
import { queryPass } from './scenarios/query.js';
import { readyCount, seedJobs, startBenchEnv } from './setup.js';
import { Types } from 'mongoose';
import { createLogger } from '../src/logger.js';
import type { JobRecord } from '../src/models/job.js';
import { Metrics } from '../src/observability/metrics.js';
import { JobStatsService } from '../src/observability/stats.js';
import { inClientSpan, startTracing } from '../src/observability/tracing.js';
import { loadConfig } from '../src/config.js';
import type { JobEventView } from '../src/services/events.js';

/**
 * `npm run bench:observability`: what metrics, job stats and tracing cost, on vs off in the same run.
 * For each configuration a fresh service process (bench/service.ts, instrumented) runs the query
 * scenario (`jobs(first: 20)` at BENCH_QUERY_JOBS jobs, 10 connections) and the hot path at 1 worker
 * (claim, progress, complete with claimNext; bench/scenarios/claim.ts); configurations take turns pass
 * by pass, so drift on the shared machine spreads over all of them. Tracing exports to an OTLP/HTTP
 * sink in this process (it answers 200 and discards). Medians over BENCH_PASSES (3) passes of
 * BENCH_SECONDS (4) s. Targets: each of metrics and tracing adds at most 10% of service Node CPU per
 * request (query) and per job (hot path).
 */
const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 4);
const passes = Number(env.BENCH_PASSES ?? 3);
const queryJobs = Number(env.BENCH_QUERY_JOBS ?? 200);
const out = (s: string) => process.stdout.write(`${s}\n`);

const sink = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

const CONFIGS: Array<{ id: string; label: string; env: Record<string, string> }> = [
  { id: 'off', label: 'all off (JOB_STATS=false)', env: { JOB_STATS: 'false' } },
  { id: 'stats', label: 'job stats (default)', env: { JOB_STATS: 'true' } },
  { id: 'metrics', label: 'metrics (METRICS_PORT)', env: { JOB_STATS: 'false', METRICS_PORT: '0' } },
  { id: 'tracing', label: 'tracing (OTLP/HTTP)', env: { JOB_STATS: 'false', OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl } },
  { id: 'all', label: 'all on', env: { JOB_STATS: 'true', METRICS_PORT: '0', OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl } },
];

const watchdog = setTimeout(() => {
  process.stderr.write('bench:observability: still running after 12 minutes, exiting\n');
  process.exit(2);
}, 12 * 60_000);
watchdog.unref();

const b = await startBenchEnv(env);

/**
 * In this process, without the HTTP and database work around it: the CPU the counters add per job (the
 * events of one job's life: created, claimed, a stage change, completed), less disturbed by other load
 * on the machine than the service's whole CPU per job.
 */
async function perJobCpuUs(): Promise<{ metricsUs: number; statsUs: number; tracingUs: number }> {
  const jobs = 20_000;
  const lifeOf = (i: number): JobEventView[] => {
    const t = Date.now();
    const job = { _id: new Types.ObjectId(), operation: 'ADD', status: 'QUEUED', createdAt: new Date(t - 50), runAt: null, startedAt: null } as unknown as JobRecord;
    const at = (s: string, extra: Partial<JobRecord> = {}) => ({ ...job, status: s, ...extra }) as JobRecord;
    const started = new Date(t - 20 - (i % 7));
    return [
      { kind: 'CREATED', job, previousStatus: null, at: new Date(t - 50) },
      { kind: 'STATUS_CHANGED', job: at('INITIATED', { startedAt: started }), previousStatus: 'QUEUED', at: started },
      { kind: 'STATUS_CHANGED', job: at('VALIDATING', { startedAt: started }), previousStatus: 'INITIATED', at: new Date(t - 10) },
      { kind: 'STATUS_CHANGED', job: at('COMPLETED', { startedAt: started }), previousStatus: 'VALIDATING', at: new Date(t) },
    ];
  };
  const lives = Array.from({ length: jobs }, (_, i) => lifeOf(i));
  const time = async (fn: (events: JobEventView[]) => void, settle: () => Promise<unknown>) => {
    for (const l of lives.slice(0, 2000)) fn(l); // warm-up
    await settle();
    const c0 = process.cpuUsage();
    for (const l of lives) for (const e of l) fn([e]); // one publish step per event, as the lifecycle does
    await settle();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / jobs;
  };
  const metrics = new Metrics({ defaultMetrics: false });
  const metricsUs = await time((e) => metrics.jobEvents(e), async () => undefined);
  const prefix = `bench_obs_stats_${Date.now().toString(36)}:`;
  const stats = new JobStatsService({ redis: b.redis, prefix, models: undefined as never, logger: createLogger('warn', 'bench'), clock: () => new Date(), sample: async () => ({ ready: 0, delayed: 0, running: 0, workersAlive: 0 }) });
  // Includes the replies: the commands are sent and answered before the clock stops.
  const statsUs = await time((e) => stats.record(e), () => b.redis.ping());
  const keys = await b.redis.keys(`${prefix}*`);
  if (keys.length) await b.redis.del(...keys);
  // Tracing: the spans of one hot-path job (two requests: a server and a GraphQL span each, three queue
  // scripts, one batched write), made and exported (JSON over HTTP to the sink) before the clock stops.
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = sinkUrl;
  const tracing = startTracing(loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl }).observability, createLogger('warn', 'bench'))!;
  const spansOfJob = async () => {
    for (const name of ['EVALSHA extend', 'bulkWrite jobs', 'EVALSHA finish', 'EVALSHA claim']) await inClientSpan(name, { 'db.system.name': 'redis', 'db.operation.name': 'EVALSHA' }, async () => undefined);
    for (let r = 0; r < 2; r++) await inClientSpan('POST /graphql', { 'http.request.method': 'POST', 'http.route': '/graphql', 'url.path': '/graphql', 'http.response.status_code': 200 }, () => inClientSpan('mutation jobComplete', { 'graphql.operation.type': 'mutation', 'graphql.operation.name': 'jobComplete' }, async () => undefined));
  };
  const tracedJobs = 5_000;
  for (let i = 0; i < 500; i++) await spansOfJob();
  const c0 = process.cpuUsage();
  for (let i = 0; i < tracedJobs; i++) await spansOfJob();
  await tracing.release(); // flushes what is queued
  const ct = process.cpuUsage(c0);
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return { metricsUs, statsUs, tracingUs: (ct.user + ct.system) / tracedJobs };
}
const inProcess = await perJobCpuUs();
const samples = new Map(CONFIGS.map((c) => [c.id, { query: [] as Sample[], claim: [] as Sample[] }]));
const started = Date.now();
out(`bench:observability: ${os.availableParallelism()} cpus, node ${process.version}; ${passes} passes x ${seconds} s; query at ${queryJobs} jobs; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
try {
  for (let p = 0; p < passes; p++) {
    for (const c of CONFIGS) {
      await b.fresh(`obs_${c.id}`, { env: c.env });
      await seedJobs(b, 'QUERY', queryJobs, 'CHANGE');
      const s = samples.get(c.id)!;
      // Warm-up (JIT, pools, JWKS), then one measured pass of each.
      await measure(() => b.svc.stats(), () => queryPass(b, 1, 10), 'call');
      s.query.push(await measure(() => b.svc.stats(), () => queryPass(b, seconds, 10), 'call'));
      const want = 2_000;
      if ((await readyCount(b)) < want) await seedJobs(b, `OBS${p}`, want);
      await steadyPass(1, 1, want, serviceSteps(b, 1));
      s.claim.push(await steadyPass(1, seconds, want, serviceSteps(b, 1), () => b.svc.stats()));
      out(`bench:observability: pass ${p + 1}, ${c.label}: query ${fmt(s.query.at(-1)!.cost?.cpuUs ?? NaN)} µs/request, hot path ${fmt((s.claim.at(-1)!.cost?.cpuUs ?? NaN) / 1000, 2)} ms/job (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  }
  const sum = new Map<string, { query: Summary; claim: Summary }>(CONFIGS.map((c) => [c.id, { query: summarize(samples.get(c.id)!.query, seconds), claim: summarize(samples.get(c.id)!.claim, seconds) }]));
  const off = sum.get('off')!;
  const rows: Row[] = [];
  for (const c of CONFIGS) {
    const s = sum.get(c.id)!;
    const qr = ratio(s.query.cost.cpuUs, off.query.cost.cpuUs);
    const cr = ratio(s.claim.cost.cpuUs, off.claim.cost.cpuUs);
    const targeted = c.id === 'metrics' || c.id === 'tracing';
    rows.push({
      scenario: `query, ${c.label}`,
      figure: 'Node CPU µs / request (req/s)',
      value: `${fmt(s.query.cost.cpuUs)} (${fmt(s.query.perSecond)})`,
      compare: c.id === 'off' ? '' : `off ${fmt(off.query.cost.cpuUs)}`,
      ratio: c.id === 'off' ? '' : fmt(qr, 3),
      ...(targeted ? { target: '≤ 1.10× off', verdict: verdict(qr, (x) => x <= 1.1) } : {}),
    });
    rows.push({
      scenario: `hot path 1 worker, ${c.label}`,
      figure: 'Node CPU ms / job (jobs/s); MongoDB commands; Redis round trips (commands) / job',
      value: `${fmt(s.claim.cost.cpuUs / 1000, 2)} (${fmt(s.claim.perSecond)}); ${fmt(s.claim.cost.mongo, 2)}; ${fmt(s.claim.cost.redisRoundTrips, 2)} (${fmt(s.claim.cost.redisCommands, 1)})`,
      compare: c.id === 'off' ? '' : `off ${fmt(off.claim.cost.cpuUs / 1000, 2)}; ${fmt(off.claim.cost.mongo, 2)}; ${fmt(off.claim.cost.redisRoundTrips, 2)} (${fmt(off.claim.cost.redisCommands, 1)})`,
      ratio: c.id === 'off' ? '' : fmt(cr, 3),
      ...(targeted ? { target: '≤ 1.10× off', verdict: verdict(cr, (x) => x <= 1.1) } : {}),
    });
  }
  const pct = (x: number) => `${fmt(ratio(x, off.claim.cost.cpuUs) * 100, 2)} %`;
  rows.push({
    scenario: 'in process: 20,000 job lives (4 events each); 5,000 jobs of spans (8 each)',
    figure: 'CPU µs / job: metrics counters; job stats (Redis commands issued and answered); tracing (spans made and exported)',
    value: `${fmt(inProcess.metricsUs, 1)}; ${fmt(inProcess.statsUs, 1)}; ${fmt(inProcess.tracingUs, 1)}`,
    compare: `hot path all off ${fmt(off.claim.cost.cpuUs)} µs / job`,
    ratio: `${pct(inProcess.metricsUs)}; ${pct(inProcess.statsUs)}; ${pct(inProcess.tracingUs)}`,
  });
  out('');
  out(markdownTable(rows));
  out('');
  out(`bench:observability: ${((Date.now() - started) / 1000).toFixed(0)} s; wrote ${writeResults('.bench', { kind: 'observability', inProcess, seconds, passes, queryJobs, configs: CONFIGS.map((c) => c.id), summaries: Object.fromEntries(sum), rows })}`);
  const t = tally(rows);
  out(`${t.passed} passed, ${t.failed} failed`);
} finally {
  await b.close();
  sink.close();
}
process.exit(0);
