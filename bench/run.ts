import os from 'node:os';
import { readFileSync } from 'node:fs';
import { fmt, markdownTable, rate, ratio, verdict, writeResults, type Row } from './report.js';
import { startBenchEnv } from './setup.js';
import { runClaim, type ClaimCase } from './scenarios/claim.js';
import { prepareRawCollection, runEnqueue } from './scenarios/enqueue.js';
import { runFanout } from './scenarios/fanout.js';
import { runLatency } from './scenarios/latency.js';
import { runMixed } from './scenarios/mixed.js';
import { runQuery } from './scenarios/query.js';

/**
 * `npm run bench`: the service in this process (embedded FerretDB + redis-server,
 * or MONGODB_URI / REDIS_URL), six scenarios, same-run ratios, a table on stdout
 * and a JSON file under .bench/. Each scenario starts once the backends are idle,
 * on a new service instance with an empty database and its own Redis keys.
 * BENCH_SECONDS sets the pass length (default 5), BENCH_PASSES the passes
 * (default 3), BENCH_QUERY_JOBS the jobs seeded for the query and mixed
 * scenarios (default 200). A watchdog ends the process after 10 minutes.
 */
const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 5);
const passes = Number(env.BENCH_PASSES ?? 3);
const queryJobs = Number(env.BENCH_QUERY_JOBS ?? 200);
const out = (s: string) => process.stdout.write(`${s}\n`);

const watchdog = setTimeout(() => {
  process.stderr.write('bench: watchdog: still running after 10 minutes, exiting\n');
  process.exit(2);
}, 10 * 60_000);
watchdog.unref();

function cpuModel(): string {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  } catch {
    return os.cpus()[0]?.model ?? 'unknown';
  }
}

async function main(): Promise<void> {
  const started = Date.now();
  const machine = { cpus: os.availableParallelism(), cpuModel: cpuModel(), node: process.version, platform: `${os.platform()} ${os.release()}` };
  out(`bench: ${machine.cpus} cpus, ${machine.cpuModel}, node ${machine.node}; passes ${passes} x ${seconds} s; query at ${queryJobs} jobs`);
  const b = await startBenchEnv(env);
  const rows: Row[] = [];
  const results: Record<string, unknown> = { machine, backend: b.backend, passSeconds: seconds, passes, queryJobs };
  // Wall and CPU seconds per scenario, for this process and the embedded children: where the time goes.
  const cpu: Array<{ scenario: string; wallS: number; idleWaitS: number; cpuS: Record<string, number> }> = [];
  let last = { name: 'setup', wall: Date.now(), cpu: b.cpuMs() };
  /** Closes the previous scenario's account (its tail: the wait until the backends were idle), then isolates and opens the next. */
  const scenario = async (name: string, label: string) => {
    const idleWaitS = Math.round((await b.fresh(label)) * 10) / 10;
    const now = { name, wall: Date.now(), cpu: b.cpuMs() };
    const delta = Object.fromEntries(Object.entries(now.cpu).map(([k, v]) => [k, Math.round((v - (last.cpu[k] ?? 0)) / 10) / 100]));
    cpu.push({ scenario: last.name, wallS: Math.round((now.wall - last.wall) / 100) / 10, idleWaitS, cpuS: delta });
    last = now;
    out(`bench: ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  };
  try {
    await scenario('1 query', 'query');
    const q = await runQuery(b, { passes, seconds, connections: 10, jobs: queryJobs });
    results.query = q;
    const qr = ratio(q.svc.perSecond, q.ref.perSecond);
    const p99r = ratio(q.svc.p99Ms, q.ref.p99Ms);
    const qs = `1 query (${fmt(q.collectionSize)} jobs, ${q.connections} conns)`;
    rows.push({ scenario: qs, figure: 'req/s', value: rate(q.svc), compare: rate(q.ref), ratio: fmt(qr, 3), target: '≥ 0.6', verdict: verdict(qr, (x) => x >= 0.6) });
    rows.push({ scenario: qs, figure: 'p50 / p99 ms', value: `${fmt(q.svc.p50Ms, 1)} / ${fmt(q.svc.p99Ms, 1)}`, compare: `${fmt(q.ref.p50Ms, 1)} / ${fmt(q.ref.p99Ms, 1)}`, ratio: fmt(p99r, 1), target: 'p99 ≤ 2×', verdict: verdict(p99r, (x) => x <= 2) });
    rows.push({ scenario: qs, figure: 'CPU µs / request (bench process)', value: fmt(q.svc.cpuUsPerOp), compare: fmt(q.ref.cpuUsPerOp), ratio: fmt(ratio(q.svc.cpuUsPerOp, q.ref.cpuUsPerOp), 1) });

    await scenario('2 enqueue', 'enqueue');
    await prepareRawCollection(b);
    const e1 = await runEnqueue(b, { passes, seconds, batch: 1, concurrency: 8, maxJobsPerPass: 20_000 });
    const e100 = await runEnqueue(b, { passes, seconds, batch: 100, concurrency: 4, maxJobsPerPass: 30_000 });
    results.enqueue = [e1, e100];
    const r1 = ratio(e1.svc.perSecond, e1.raw.perSecond);
    const r100 = ratio(e100.svc.perSecond, e100.raw.perSecond);
    rows.push({ scenario: '2 enqueue 1 item (c=8)', figure: 'jobs/s (p99 ms)', value: `${rate(e1.svc)} (${fmt(e1.svc.p99Ms, 1)})`, compare: `${rate(e1.raw)} (${fmt(e1.raw.p99Ms, 1)})`, ratio: fmt(r1, 2) });
    rows.push({ scenario: '2 enqueue 100 items (c=4)', figure: 'jobs/s (p99 ms)', value: `${rate(e100.svc)} (${fmt(e100.svc.p99Ms, 1)})`, compare: `${rate(e100.raw)} (${fmt(e100.raw.p99Ms, 1)})`, ratio: fmt(r100, 2), target: '≥ 0.5× raw', verdict: verdict(r100, (x) => x >= 0.5) });
    rows.push({ scenario: '2 enqueue 100 items (c=4)', figure: 'jobs/s absolute', value: rate(e100.svc), compare: rate(e100.raw), target: '≥ 15,000 (where the db allows)', verdict: verdict(e100.svc.perSecond, (x) => x >= 15_000) });

    await scenario('3 claim + complete', 'claim');
    const claims: ClaimCase[] = [];
    for (const workers of [1, 10, 50]) {
      claims.push(await runClaim(b, { passes, seconds, workers, rawJobs: 20_000, needBacklog: 3_000 }));
    }
    results.claim = claims;
    for (const c of claims) {
      rows.push({ scenario: `3 claim+complete, ${c.workers} worker${c.workers > 1 ? 's' : ''}`, figure: 'jobs/s (p99 ms)', value: `${rate(c.svc)} (${fmt(c.svc.p99Ms, 1)})`, compare: `${rate(c.raw)} (${fmt(c.raw.p99Ms, 1)})`, ratio: fmt(ratio(c.svc.perSecond, c.raw.perSecond), 3) });
    }
    const scale = ratio(claims[1]!.svc.perSecond, claims[0]!.svc.perSecond);
    rows.push({ scenario: '3 claim+complete', figure: '10 workers / 1 worker', value: fmt(scale, 2), target: '≥ 5×', verdict: verdict(scale, (x) => x >= 5) });

    await scenario('4 enqueue-to-start', 'latency');
    // 1,000 samples: with fewer, p99 is one or two samples and swings between runs.
    const lat = await runLatency(b, { samples: 1_000, maxSeconds: 90 });
    results.latency = lat;
    const ls = `4 enqueue-to-start (${lat.samples} samples, ${lat.missed} missed)`;
    rows.push({ scenario: ls, figure: 'p50 / p99 ms from createdAt', value: `${fmt(lat.fromCreatedAt.p50Ms, 1)} / ${fmt(lat.fromCreatedAt.p99Ms, 1)}`, target: 'p99 ≤ 25 ms', verdict: verdict(lat.fromCreatedAt.p99Ms, (x) => x <= 25) });
    rows.push({ scenario: ls, figure: 'p50 / p99 ms from jobsCreate sent', value: `${fmt(lat.fromSend.p50Ms, 1)} / ${fmt(lat.fromSend.p99Ms, 1)}` });

    await scenario('5 fan-out', 'fanout');
    const fan = await runFanout(b, { sockets: 100, perSocket: 10, seconds: Math.max(seconds, 8), batch: 1, window: 1, maxEvents: 5_000 });
    results.fanout = fan;
    const fs = `5 fan-out (${fmt(fan.subscribers)} subs, ${fmt(fan.events)} events)`;
    rows.push({ scenario: fs, figure: 'deliveries/s', value: `${fmt(fan.deliveriesPerSecond)} (${fmt(fan.deliveries)} of ${fmt(fan.expected)})` });
    rows.push({ scenario: fs, figure: 'deliveries per CPU-second (service process)', value: fmt(fan.deliveriesPerCoreSecond), target: '≥ 10,000 / core', verdict: verdict(fan.deliveriesPerCoreSecond, (x) => x >= 10_000) });
    rows.push({ scenario: fs, figure: 'p50 / p99 ms (at → received)', value: `${fmt(fan.p50Ms, 1)} / ${fmt(fan.p99Ms, 1)}`, target: 'p99 ≤ 100 ms', verdict: verdict(fan.p99Ms, (x) => x <= 100) });
    rows.push({ scenario: fs, figure: 'CPU µs / delivery: service / subscribers', value: `${fmt(fan.cpuUsPerDelivery, 1)} / ${fmt(fan.subscriberCpuUsPerDelivery, 1)}` });

    await scenario('6 mixed', 'mixed');
    const mixed = await runMixed(b, { seconds, connections: 2, jobs: queryJobs, enqueueMaxPerSecond: e100.svc.perSecond, claimMaxPerSecond: claims[1]!.svc.perSecond });
    results.mixed = mixed;
    const ms = `6 mixed (${fmt(mixed.collectionSize)} → ${fmt(mixed.collectionSizeAfter)} jobs, 2 conns)`;
    rows.push({ scenario: ms, figure: 'query p99 ms (req/s)', value: `${fmt(mixed.loaded.p99Ms, 1)} (${fmt(mixed.loaded.perSecond)})`, compare: `idle ${fmt(mixed.idle.p99Ms, 1)} (${fmt(mixed.idle.perSecond)})`, ratio: fmt(ratio(mixed.loaded.p99Ms, mixed.idle.p99Ms), 2) });
    rows.push({ scenario: ms, figure: 'enqueue / complete jobs/s', value: `${fmt(mixed.enqueuedPerSecond)} / ${fmt(mixed.completedPerSecond)}`, compare: `asked ${fmt(mixed.enqueueTargetPerSecond)} / ${fmt(mixed.claimTargetPerSecond)}` });

    await scenario('done', 'done');
    results.cpu = cpu;
    results.seconds = (Date.now() - started) / 1000;
    results.rows = rows;
    out('');
    out(markdownTable(rows));
    out('');
    out('| scenario | wall s | of which waiting for idle backends | CPU s by process |');
    out('|---|---:|---:|---|');
    for (const c of cpu) out(`| ${c.scenario} | ${c.wallS} | ${c.idleWaitS} | ${Object.entries(c.cpuS).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
    out('');
    out(`bench: ${b.backend}; ${(results.seconds as number).toFixed(0)} s`);
    out(`bench: wrote ${writeResults('.bench', results)}`);
  } finally {
    await b.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
