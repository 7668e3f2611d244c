import os from 'node:os';
import { readFileSync } from 'node:fs';
import { fmt, markdownTable, ratio, writeResults, type Row } from './report.js';
import { startBenchEnv } from './setup.js';
import { runClaim, type ClaimCase } from './scenarios/claim.js';
import { prepareRawCollection, RAW_COLLECTION, runEnqueue } from './scenarios/enqueue.js';
import { runFanout } from './scenarios/fanout.js';
import { runLatency } from './scenarios/latency.js';
import { runMixed } from './scenarios/mixed.js';
import { jobCount, runQuery, seedJobs } from './scenarios/query.js';

/**
 * `npm run bench`: the service in this process (embedded FerretDB + redis-server,
 * or MONGODB_URI / REDIS_URL), six scenarios, same-run ratios, a table on stdout
 * and a JSON file under .bench/. BENCH_SECONDS sets the pass length (default 5).
 * A watchdog ends the process if a run ever exceeds 12 minutes.
 */
const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 5);
const passes = Number(env.BENCH_PASSES ?? 3);
const SEED = 2000;
const out = (s: string) => process.stdout.write(`${s}\n`);

const watchdog = setTimeout(() => {
  process.stderr.write('bench: watchdog: still running after 12 minutes, exiting\n');
  process.exit(2);
}, 12 * 60_000);
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
  out(`bench: ${machine.cpus} cpus, ${machine.cpuModel}, node ${machine.node}; passes ${passes} x ${seconds} s`);
  const b = await startBenchEnv(env);
  const rows: Row[] = [];
  const results: Record<string, unknown> = { machine, backend: b.backend, passSeconds: seconds, passes };
  // CPU seconds of this process and of the embedded children, per scenario: where the time goes.
  const cpu: Array<{ scenario: string; wallS: number; cpuS: Record<string, number> }> = [];
  let last = { name: 'setup', wall: Date.now(), cpu: b.cpuMs() };
  const step = (name: string) => {
    const now = { name, wall: Date.now(), cpu: b.cpuMs() };
    const delta = Object.fromEntries(Object.entries(now.cpu).map(([k, v]) => [k, Math.round((v - (last.cpu[k] ?? 0)) / 10) / 100]));
    cpu.push({ scenario: last.name, wallS: Math.round((now.wall - last.wall) / 100) / 10, cpuS: delta });
    last = now;
    out(`bench: ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  };
  try {
    step(`seeding ${SEED} jobs`);
    await seedJobs(b, 'SEED', SEED);

    step('1 query');
    const q = await runQuery(b, { passes, seconds, connections: 10 });
    results.query = q;
    const qr = ratio(q.svc.perSecond, q.ref.perSecond);
    const p99r = ratio(q.svc.p99Ms, q.ref.p99Ms);
    const qs = `1 query (${fmt(q.collectionSize)} jobs)`;
    rows.push({ scenario: qs, figure: 'req/s', value: fmt(q.svc.perSecond), compare: fmt(q.ref.perSecond), ratio: fmt(qr, 2), target: '≥ 0.6', met: qr >= 0.6 });
    rows.push({ scenario: qs, figure: 'p50 / p99 ms', value: `${fmt(q.svc.p50Ms, 1)} / ${fmt(q.svc.p99Ms, 1)}`, compare: `${fmt(q.ref.p50Ms, 1)} / ${fmt(q.ref.p99Ms, 1)}`, ratio: fmt(p99r, 2), target: 'p99 ≤ 2×', met: p99r <= 2 });
    rows.push({ scenario: qs, figure: 'CPU µs / request', value: fmt(q.svc.cpuUsPerOp), compare: fmt(q.ref.cpuUsPerOp), ratio: fmt(ratio(q.svc.cpuUsPerOp, q.ref.cpuUsPerOp), 2) });

    step('5 fan-out');
    const fan = await runFanout(b, { sockets: 100, perSocket: 10, seconds: Math.max(seconds, 8), batch: 1, window: 1, maxEvents: 5_000 });
    results.fanout = fan;
    const fs = `5 fan-out (${fmt(fan.subscribers)} subs)`;
    rows.push({ scenario: fs, figure: 'deliveries/s', value: `${fmt(fan.deliveriesPerSecond)} (${fmt(fan.deliveries)} of ${fmt(fan.expected)})` });
    rows.push({ scenario: fs, figure: 'deliveries per CPU-second', value: fmt(fan.deliveriesPerCoreSecond), target: '≥ 10,000 / core', met: fan.deliveriesPerCoreSecond >= 10_000 });
    rows.push({ scenario: fs, figure: 'p50 / p99 ms (at → received)', value: `${fmt(fan.p50Ms, 1)} / ${fmt(fan.p99Ms, 1)}`, target: 'p99 ≤ 100 ms', met: fan.p99Ms <= 100 });
    rows.push({ scenario: fs, figure: 'CPU µs / delivery', value: fmt(fan.cpuUsPerDelivery, 1) });

    step('4 enqueue-to-start');
    const lat = await runLatency(b, { samples: 200, maxSeconds: 90 });
    results.latency = lat;
    rows.push({ scenario: `4 enqueue-to-start (${lat.samples} samples)`, figure: 'p50 / p99 ms from createdAt', value: `${fmt(lat.fromCreatedAt.p50Ms, 1)} / ${fmt(lat.fromCreatedAt.p99Ms, 1)}`, target: 'p99 ≤ 25 ms', met: lat.fromCreatedAt.p99Ms <= 25 });
    rows.push({ scenario: `4 enqueue-to-start (${lat.samples} samples)`, figure: 'p50 / p99 ms from jobsCreate sent', value: `${fmt(lat.fromSend.p50Ms, 1)} / ${fmt(lat.fromSend.p99Ms, 1)}` });

    step('2 enqueue');
    await prepareRawCollection(b);
    const e1 = await runEnqueue(b, { passes, seconds, batch: 1, concurrency: 8, maxJobsPerPass: 20_000 });
    const e100 = await runEnqueue(b, { passes, seconds, batch: 100, concurrency: 4, maxJobsPerPass: 30_000 });
    results.enqueue = [e1, e100];
    const r1 = ratio(e1.svc.perSecond, e1.raw.perSecond);
    const r100 = ratio(e100.svc.perSecond, e100.raw.perSecond);
    rows.push({ scenario: '2 enqueue 1 item (c=8)', figure: 'jobs/s (p99 ms)', value: `${fmt(e1.svc.perSecond)} (${fmt(e1.svc.p99Ms, 1)})`, compare: `${fmt(e1.raw.perSecond)} (${fmt(e1.raw.p99Ms, 1)})`, ratio: fmt(r1, 2) });
    rows.push({ scenario: '2 enqueue 100 items (c=4)', figure: 'jobs/s (p99 ms)', value: `${fmt(e100.svc.perSecond)} (${fmt(e100.svc.p99Ms, 1)})`, compare: `${fmt(e100.raw.perSecond)} (${fmt(e100.raw.p99Ms, 1)})`, ratio: fmt(r100, 2), target: '≥ 0.5× raw', met: r100 >= 0.5 });
    rows.push({ scenario: '2 enqueue 100 items (c=4)', figure: 'jobs/s absolute', value: fmt(e100.svc.perSecond), compare: fmt(e100.raw.perSecond), target: '≥ 15,000 (where the db allows)', met: e100.svc.perSecond >= 15_000 });

    step('3 claim + complete');
    const claims: ClaimCase[] = [];
    for (const workers of [1, 10, 50]) {
      claims.push(await runClaim(b, { passes, seconds, workers, rawJobs: 20_000, needBacklog: 6_000 }));
    }
    results.claim = claims;
    for (const c of claims) {
      rows.push({ scenario: `3 claim+complete, ${c.workers} worker${c.workers > 1 ? 's' : ''}`, figure: 'jobs/s (p99 ms)', value: `${fmt(c.svc.perSecond)} (${fmt(c.svc.p99Ms, 1)})`, compare: `${fmt(c.raw.perSecond)} (${fmt(c.raw.p99Ms, 1)})`, ratio: fmt(ratio(c.svc.perSecond, c.raw.perSecond), 3) });
    }
    const scale = ratio(claims[1]!.svc.perSecond, claims[0]!.svc.perSecond);
    rows.push({ scenario: '3 claim+complete', figure: '10 workers / 1 worker', value: fmt(scale, 2), target: '≥ 5×', met: scale >= 5 });

    step('6 mixed');
    const mixed = await runMixed(b, { seconds, connections: 10, enqueueMaxPerSecond: e100.svc.perSecond, claimMaxPerSecond: claims[1]!.svc.perSecond });
    results.mixed = mixed;
    const ms = `6 mixed (${fmt(mixed.collectionSize)} jobs)`;
    rows.push({ scenario: ms, figure: 'query p99 ms (req/s)', value: `${fmt(mixed.loaded.p99Ms, 1)} (${fmt(mixed.loaded.perSecond)})`, compare: `idle ${fmt(mixed.idle.p99Ms, 1)} (${fmt(mixed.idle.perSecond)})`, ratio: fmt(ratio(mixed.loaded.p99Ms, mixed.idle.p99Ms), 2) });
    rows.push({ scenario: ms, figure: 'enqueue / complete jobs/s', value: `${fmt(mixed.enqueuedPerSecond)} / ${fmt(mixed.completedPerSecond)}`, compare: `asked ${fmt(mixed.enqueueTargetPerSecond)} / ${fmt(mixed.claimTargetPerSecond)}` });

    step('done');
    results.cpu = cpu;
    // Bounded: FerretDB may still be working off the fan-out's lookups.
    results.finalCollectionSize = await Promise.race([jobCount(b), new Promise<number>((r) => setTimeout(() => r(NaN), 5_000))]);
    results.seconds = (Date.now() - started) / 1000;
    rows.sort((x, y) => x.scenario.charCodeAt(0) - y.scenario.charCodeAt(0));
    results.rows = rows;
    out('');
    out(markdownTable(rows));
    out('');
    out('| scenario | wall s | CPU s by process |');
    out('|---|---:|---|');
    for (const c of cpu) out(`| ${c.scenario} | ${c.wallS} | ${Object.entries(c.cpuS).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
    out('');
    out(`bench: ${b.backend}; ${results.finalCollectionSize as number} jobs at the end; ${(results.seconds as number).toFixed(0)} s`);
    out(`bench: wrote ${writeResults('.bench', results)}`);
  } finally {
    await b.app.mongo.db!.collection(RAW_COLLECTION).drop().catch(() => undefined);
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
