import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { fmt, markdownTable, mongoFigure, rate, ratio, redisFigure, tally, verdict, writeResults, type Row } from './report.js';
import { prepareRawCollection } from './raw.js';
import { startBenchEnv } from './setup.js';
import { sleep } from './load.js';
import { runCaps } from './scenarios/caps.js';
import { runClaim, type ClaimCase } from './scenarios/claim.js';
import { runEnqueue } from './scenarios/enqueue.js';
import { runFanout } from './scenarios/fanout.js';
import { runLatency } from './scenarios/latency.js';
import { runMixed } from './scenarios/mixed.js';
import { runQuery } from './scenarios/query.js';

/**
 * `npm run bench`: the service in a child process of its own (embedded FerretDB
 * + redis-server, or MONGODB_URI / REDIS_URL), instrumented (MongoDB commands,
 * Redis round trips, its own CPU); this process generates the load. Scenarios
 * 0 (background loops) to 7, same-run ratios, a table on stdout and a JSON file under .bench/.
 * 3c and 5c run the 10-worker hot path and the fan-out again with the service on a
 * local Redis Cluster of three masters (BENCH_REDIS_CLUSTER=0 leaves it out).
 * Each scenario starts once the backends are idle, on a new service process
 * with an empty database and its own Redis keys. BENCH_SECONDS sets the pass
 * length (default 5), BENCH_PASSES the passes (default 3), BENCH_QUERY_JOBS the
 * jobs seeded for the query and mixed scenarios (default 200), BENCH_SAMPLES the
 * enqueue-to-start samples (default 1,000). A watchdog ends the process after
 * 12 minutes. The last line is "N passed, N failed" over the target rows (NOT
 * MEASURED counts as failed); the exit status is 1 when any target failed.
 */
const env = process.env;
const seconds = Number(env.BENCH_SECONDS ?? 5);
const passes = Number(env.BENCH_PASSES ?? 3);
const queryJobs = Number(env.BENCH_QUERY_JOBS ?? 200);
const samples = Number(env.BENCH_SAMPLES ?? 1_000);
const out = (s: string) => process.stdout.write(`${s}\n`);
const rows: Row[] = [];
const summaryLine = (extraFailed: number) => {
  const t = tally(rows);
  return `${t.passed} passed, ${t.failed + extraFailed} failed`;
};

const watchdog = setTimeout(() => {
  process.stderr.write('bench: watchdog: still running after 12 minutes, exiting\n');
  out(markdownTable(rows));
  out(summaryLine(1));
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

const ms = (us: number) => us / 1000;

/** The commit measured, and whether src/ differed from it (work in progress is measured as it stands). */
function revision(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim();
    return dirty ? `${head} + uncommitted changes in src/ (${dirty.split('\n').length} files)` : head;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const started = Date.now();
  const rev = revision();
  const machine = { cpus: os.availableParallelism(), cpuModel: cpuModel(), memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}`, loadavg: os.loadavg() };
  out(`bench: ${machine.cpus} cpus, ${machine.cpuModel}, ${machine.memGiB} GiB, node ${machine.node}; load average ${machine.loadavg.map((x) => x.toFixed(2)).join(' ')}; passes ${passes} x ${seconds} s; query at ${queryJobs} jobs; code ${rev}`);
  const b = await startBenchEnv(env);
  const results: Record<string, unknown> = { revision: rev, machine, backend: b.backend, passSeconds: seconds, passes, queryJobs };
  // Wall and CPU seconds per scenario, for this process, the service processes and the embedded children: where the time goes.
  const cpu: Array<{ scenario: string; wallS: number; idleWaitS: number; cpuS: Record<string, number> }> = [];
  let last = { name: 'setup', wall: Date.now(), cpu: b.cpuMs() };
  /** Closes the previous scenario's account (its tail: the wait until the backends were idle), then isolates and opens the next. */
  const scenario = async (name: string, label: string, background = false, redis: 'single' | 'cluster' = 'single') => {
    const idleWaitS = Math.round((await b.fresh(label, { background, redis })) * 10) / 10;
    const now = { name, wall: Date.now(), cpu: b.cpuMs() };
    const delta = Object.fromEntries(Object.entries(now.cpu).map(([k, v]) => [k, Math.round((v - (last.cpu[k] ?? 0)) / 10) / 100]));
    cpu.push({ scenario: last.name, wallS: Math.round((now.wall - last.wall) / 100) / 10, idleWaitS, cpuS: delta });
    last = now;
    out(`bench: ${name} (${((Date.now() - started) / 1000).toFixed(0)} s; load average ${os.loadavg()[0]!.toFixed(2)})`);
  };
  try {
    // 0: what the background loops (off in every other scenario) cost an idle instance.
    await scenario('0 background loops', 'background', true);
    const bgSeconds = 6;
    const bg0 = await b.svc.stats();
    await sleep(bgSeconds * 1000);
    const bg1 = await b.svc.stats();
    results.background = { seconds: bgSeconds, before: bg0, after: bg1 };
    const perS = (a: number, z: number) => (z - a) / bgSeconds;
    rows.push({ scenario: `0 background loops, idle instance (${bgSeconds} s)`, figure: 'MongoDB commands / s; Redis round trips / s; CPU ms / s', value: `${fmt(perS(bg0.mongo, bg1.mongo), 2)}; ${fmt(perS(bg0.redisRoundTrips, bg1.redisRoundTrips), 2)}; ${fmt(ms(perS(bg0.cpuUs, bg1.cpuUs)), 2)}` });

    await scenario('1 query', 'query');
    const q = await runQuery(b, { passes, seconds, connections: 10, jobs: queryJobs });
    results.query = q;
    const qs = `1 query (${fmt(q.collectionSize)} jobs, ${q.connections} conns)`;
    const cpuR = ratio(q.svc.cost.cpuUs, q.ref.cost.cpuUs);
    rows.push({ scenario: qs, figure: 'req/s', value: rate(q.svc), compare: rate(q.ref), ratio: fmt(ratio(q.svc.perSecond, q.ref.perSecond), 3) });
    rows.push({ scenario: qs, figure: 'p50 / p99 ms', value: `${fmt(q.svc.p50Ms, 1)} / ${fmt(q.svc.p99Ms, 1)}`, compare: `${fmt(q.ref.p50Ms, 1)} / ${fmt(q.ref.p99Ms, 1)}`, ratio: fmt(ratio(q.svc.p99Ms, q.ref.p99Ms), 1) });
    rows.push({ scenario: qs, figure: 'Node CPU µs / request (each server in its own process)', value: fmt(q.svc.cost.cpuUs), compare: fmt(q.ref.cost.cpuUs), ratio: fmt(cpuR, 2), target: '≤ 2× the reference', verdict: verdict(cpuR, (x) => x <= 2) });
    rows.push({ scenario: qs, figure: 'MongoDB commands / request', value: mongoFigure(q.svc.cost), target: '≤ 2', verdict: verdict(q.svc.cost.mongo, (x) => x <= 2) });
    rows.push({ scenario: qs, figure: 'Redis round trips / request; FerretDB CPU ms / request', value: `${redisFigure(q.svc.cost)}; ${fmt(ms(q.svc.cost.dbCpuUs), 2)}` });

    await scenario('2 enqueue', 'enqueue');
    await prepareRawCollection(b);
    const e1 = await runEnqueue(b, { passes, seconds, batch: 1, concurrency: 8, maxJobsPerPass: 20_000 });
    const e100 = await runEnqueue(b, { passes, seconds, batch: 100, concurrency: 4, maxJobsPerPass: 30_000 });
    const enqueueSizes = { jobs: e1.inserted.svc + e100.inserted.svc, raw: e1.inserted.raw + e100.inserted.raw };
    results.enqueue = { cases: [e1, e100], sizes: enqueueSizes };
    const r100 = ratio(e100.svc.perSecond, e100.raw.perSecond);
    const es1 = '2 jobsCreate 1 item (c=8)';
    const es100 = '2 jobsCreate 100 items (c=4)';
    rows.push({ scenario: es1, figure: 'jobs/s (p99 ms)', value: `${rate(e1.svc)} (${fmt(e1.svc.p99Ms, 1)})`, compare: `insertMany ${rate(e1.raw)} (${fmt(e1.raw.p99Ms, 1)})`, ratio: fmt(ratio(e1.svc.perSecond, e1.raw.perSecond), 2) });
    rows.push({ scenario: es1, figure: 'service Node CPU ms / request', value: fmt(ms(e1.svc.cost.cpuUs), 2), target: '≤ 1.5 ms', verdict: verdict(ms(e1.svc.cost.cpuUs), (x) => x <= 1.5) });
    rows.push({ scenario: es1, figure: 'MongoDB commands; Redis round trips; FerretDB CPU ms / request', value: `${mongoFigure(e1.svc.cost)}; ${redisFigure(e1.svc.cost)}; ${fmt(ms(e1.svc.cost.dbCpuUs), 2)}`, compare: `insertMany: FerretDB ${fmt(ms(e1.raw.cost.dbCpuUs), 2)}` });
    rows.push({ scenario: es100, figure: 'jobs/s (p99 ms)', value: `${rate(e100.svc)} (${fmt(e100.svc.p99Ms, 1)})`, compare: `insertMany ${rate(e100.raw)} (${fmt(e100.raw.p99Ms, 1)})`, ratio: fmt(r100, 2), target: '≥ 0.6× raw insertMany', verdict: verdict(r100, (x) => x >= 0.6) });
    rows.push({ scenario: es100, figure: 'service Node CPU ms / job', value: fmt(ms(e100.svc.cost.cpuUs) / 100, 3) });
    rows.push({ scenario: es100, figure: 'MongoDB commands; Redis round trips; FerretDB CPU ms / request', value: `${mongoFigure(e100.svc.cost)}; ${redisFigure(e100.svc.cost)}; ${fmt(ms(e100.svc.cost.dbCpuUs), 2)}`, compare: `insertMany: FerretDB ${fmt(ms(e100.raw.cost.dbCpuUs), 2)}` });
    rows.push({ scenario: '2 jobsCreate', figure: 'documents inserted: jobs; raw collection', value: `${fmt(enqueueSizes.jobs)}; ${fmt(enqueueSizes.raw)}` });

    await scenario('3 hot path', 'claim');
    await prepareRawCollection(b);
    const claims: ClaimCase[] = [];
    for (const workers of [1, 10, 50]) claims.push(await runClaim(b, { passes, seconds, workers }));
    results.claim = claims;
    for (const c of claims) {
      const cs = `3 claim + progress + complete(claimNext), ${c.workers} worker${c.workers > 1 ? 's' : ''} (jobs ${fmt(c.sizes.jobsBefore)} → ${fmt(c.sizes.jobsAfter)}; raw ${fmt(c.sizes.raw)})`;
      const targeted = c.workers === 1 || c.workers === 10;
      const ceiling = Math.max(c.findOneAndUpdate.perSecond, c.bulkWrite.perSecond);
      const cr = ratio(c.svc.perSecond, Number.isFinite(c.findOneAndUpdate.perSecond) && Number.isFinite(c.bulkWrite.perSecond) ? ceiling : NaN);
      const dry = c.dry.svc + c.dry.findOneAndUpdate + c.dry.bulkWrite;
      rows.push({
        scenario: cs,
        figure: 'jobs/s (p99 ms per job)',
        value: `${rate(c.svc)} (${fmt(c.svc.p99Ms, 1)})`,
        compare: `findOneAndUpdate ${rate(c.findOneAndUpdate)} (${fmt(c.findOneAndUpdate.p99Ms, 1)}); bulkWrite ${rate(c.bulkWrite)} (${fmt(c.bulkWrite.p99Ms, 1)})${dry ? `; ${dry} loops ran dry` : ''}`,
        ratio: fmt(cr, 2),
        ...(targeted ? { target: '≥ 0.5× the higher ceiling', verdict: verdict(cr, (x) => x >= 0.5) } : {}),
      });
      rows.push({ scenario: cs, figure: 'MongoDB commands / job', value: mongoFigure(c.svc.cost), compare: `bulkWrite ceiling ${mongoFigure(c.bulkWrite.cost)}`, ...(c.workers === 1 ? { target: '≤ 3', verdict: verdict(c.svc.cost.mongo, (x) => x <= 3) } : {}) });
      rows.push({ scenario: cs, figure: 'Redis round trips / job', value: redisFigure(c.svc.cost), ...(c.workers === 1 ? { target: '≤ 4', verdict: verdict(c.svc.cost.redisRoundTrips, (x) => x <= 4) } : {}) });
      rows.push({ scenario: cs, figure: 'service Node CPU ms / job', value: fmt(ms(c.svc.cost.cpuUs), 2), ...(targeted ? { target: '≤ 3 ms', verdict: verdict(ms(c.svc.cost.cpuUs), (x) => x <= 3) } : {}) });
      rows.push({ scenario: cs, figure: 'FerretDB CPU ms / job', value: fmt(ms(c.svc.cost.dbCpuUs), 2), compare: `findOneAndUpdate ${fmt(ms(c.findOneAndUpdate.cost.dbCpuUs), 2)}; bulkWrite ${fmt(ms(c.bulkWrite.cost.dbCpuUs), 2)}` });
    }
    const pc = claims[0]!.perCall;
    if (pc) {
      rows.push({
        scenario: `3 claim + progress + complete(claimNext), 1 worker, call by call (${pc.jobs} jobs, 300 ms apart)`,
        figure: 'MongoDB commands; Redis round trips per call',
        value: `jobReportProgress: ${mongoFigure(pc.progress)}; ${redisFigure(pc.progress)} — jobComplete + claimNext: ${mongoFigure(pc.completeClaimNext)}; ${redisFigure(pc.completeClaimNext)} — later (queue-stats publish, at most every 250 ms): ${mongoFigure(pc.deferred)}; ${redisFigure(pc.deferred)}`,
      });
    }
    const scale = ratio(claims[1]!.svc.perSecond, claims[0]!.svc.perSecond);
    rows.push({ scenario: '3 claim + progress + complete(claimNext)', figure: '10 workers / 1 worker', value: fmt(scale, 2), target: '≥ 3×', verdict: verdict(scale, (x) => x >= 3) });

    if (b.hasCluster) {
      // 3c: the 10-worker hot path again, the service on a Redis Cluster of three masters (same run, same database).
      await scenario('3c hot path on a Redis Cluster', 'claimcluster', false, 'cluster');
      await prepareRawCollection(b);
      const onCluster = await runClaim(b, { passes, seconds, workers: 10 });
      const single = claims[1]!;
      results.claimCluster = onCluster;
      const ccs = `3c claim + progress + complete(claimNext), 10 workers, Redis Cluster of 3 masters vs one redis-server`;
      rows.push({ scenario: ccs, figure: 'jobs/s (p99 ms per job)', value: `${rate(onCluster.svc)} (${fmt(onCluster.svc.p99Ms, 1)})`, compare: `one redis-server ${rate(single.svc)} (${fmt(single.svc.p99Ms, 1)})`, ratio: fmt(ratio(onCluster.svc.perSecond, single.svc.perSecond), 2) });
      rows.push({ scenario: ccs, figure: 'service Node CPU ms / job', value: fmt(ms(onCluster.svc.cost.cpuUs), 2), compare: fmt(ms(single.svc.cost.cpuUs), 2), ratio: fmt(ratio(onCluster.svc.cost.cpuUs, single.svc.cost.cpuUs), 2) });
    }

    await scenario('4 enqueue-to-start', 'latency');
    const lat = await runLatency(b, { samples, maxSeconds: 90 });
    results.latency = lat;
    const ls = `4 enqueue-to-start (${lat.samples} samples, ${lat.missed} missed)`;
    rows.push({ scenario: ls, figure: 'p50 / p99 ms from createdAt', value: `${fmt(lat.fromCreatedAt.p50Ms, 1)} / ${fmt(lat.fromCreatedAt.p99Ms, 1)}`, target: 'p99 ≤ 10 ms', verdict: verdict(lat.fromCreatedAt.p99Ms, (x) => x <= 10) });
    rows.push({ scenario: ls, figure: 'p50 / p99 ms from jobsCreate sent', value: `${fmt(lat.fromSend.p50Ms, 1)} / ${fmt(lat.fromSend.p99Ms, 1)}` });
    rows.push({ scenario: ls, figure: 'per sample (create, claim, complete): MongoDB commands; Redis round trips; CPU ms', value: `${mongoFigure(lat.cost)}; ${redisFigure(lat.cost)}; ${fmt(ms(lat.cost.cpuUs), 2)}` });

    await scenario('5 fan-out', 'fanout');
    const fan = await runFanout(b, { sockets: 100, perSocket: 10, seconds: Math.max(seconds, 8), batch: 1, window: 1, maxEvents: 5_000 });
    results.fanout = fan;
    const fs = `5 fan-out (${fmt(fan.subscribers)} subs, ${fmt(fan.events)} events)`;
    rows.push({ scenario: fs, figure: 'deliveries/s', value: `${fmt(fan.deliveriesPerSecond)} (${fmt(fan.deliveries)} of ${fmt(fan.expected)})` });
    rows.push({ scenario: fs, figure: 'deliveries per CPU-second (service process)', value: fmt(fan.deliveriesPerCoreSecond), target: '≥ 10,000 / core', verdict: verdict(fan.deliveriesPerCoreSecond, (x) => x >= 10_000) });
    rows.push({ scenario: fs, figure: 'p50 / p99 ms (at → received)', value: `${fmt(fan.p50Ms, 1)} / ${fmt(fan.p99Ms, 1)}`, target: 'p99 ≤ 100 ms', verdict: verdict(fan.p99Ms, (x) => x <= 100) });
    rows.push({ scenario: fs, figure: 'CPU µs / delivery: service / subscribers', value: `${fmt(fan.cpuUsPerDelivery, 1)} / ${fmt(fan.subscriberCpuUsPerDelivery, 1)}` });
    rows.push({ scenario: fs, figure: 'per event: MongoDB commands; Redis round trips', value: `${fmt(fan.mongoPerEvent, 2)}; ${fmt(fan.redisRoundTripsPerEvent, 2)}` });

    if (b.hasCluster) {
      // 5c: the same fan-out with events on a sharded channel of a Redis Cluster (SPUBLISH / SSUBSCRIBE).
      await scenario('5c fan-out on a Redis Cluster', 'fanoutcluster', false, 'cluster');
      const onCluster = await runFanout(b, { sockets: 100, perSocket: 10, seconds: Math.max(seconds, 8), batch: 1, window: 1, maxEvents: 5_000 });
      results.fanoutCluster = onCluster;
      const fcs = `5c fan-out (${fmt(onCluster.subscribers)} subs, ${fmt(onCluster.events)} events), Redis Cluster of 3 masters vs one redis-server`;
      rows.push({ scenario: fcs, figure: 'deliveries/s', value: `${fmt(onCluster.deliveriesPerSecond)} (${fmt(onCluster.deliveries)} of ${fmt(onCluster.expected)})`, compare: fmt(fan.deliveriesPerSecond), ratio: fmt(ratio(onCluster.deliveriesPerSecond, fan.deliveriesPerSecond), 2) });
      rows.push({ scenario: fcs, figure: 'p50 / p99 ms (at → received)', value: `${fmt(onCluster.p50Ms, 1)} / ${fmt(onCluster.p99Ms, 1)}`, compare: `${fmt(fan.p50Ms, 1)} / ${fmt(fan.p99Ms, 1)}`, ratio: fmt(ratio(onCluster.p99Ms, fan.p99Ms), 2) });
    }

    await scenario('6 mixed', 'mixed');
    const mixed = await runMixed(b, { seconds, connections: 2, jobs: queryJobs, enqueueMaxPerSecond: e100.svc.perSecond, claimMaxPerSecond: claims[1]!.svc.perSecond });
    results.mixed = mixed;
    const mx = `6 mixed (${fmt(mixed.collectionSize)} → ${fmt(mixed.collectionSizeAfter)} jobs, 2 conns)`;
    rows.push({ scenario: mx, figure: 'query p99 ms (req/s)', value: `${fmt(mixed.loaded.p99Ms, 1)} (${fmt(mixed.loaded.perSecond)})`, compare: `idle ${fmt(mixed.idle.p99Ms, 1)} (${fmt(mixed.idle.perSecond)})`, ratio: fmt(ratio(mixed.loaded.p99Ms, mixed.idle.p99Ms), 2) });
    rows.push({ scenario: mx, figure: 'enqueue / complete jobs/s', value: `${fmt(mixed.enqueuedPerSecond)} / ${fmt(mixed.completedPerSecond)}`, compare: `asked ${fmt(mixed.enqueueTargetPerSecond)} / ${fmt(mixed.claimTargetPerSecond)}` });

    await scenario('7 caps', 'caps');
    const caps = await runCaps(b, { passes: Math.max(1, Math.min(passes, 2)), seconds, workers: 10, cap: 2 });
    results.caps = caps;
    const cx = `7 claim + complete, 10 workers, ADD and CHANGE backlogs; ADD capped at ${caps.cap} running`;
    const capRatio = ratio(caps.capped.perSecond, caps.free.perSecond);
    rows.push({ scenario: cx, figure: 'jobs/s (share of ADD)', value: `${fmt(caps.capped.perSecond)} (${fmt(caps.capped.addShare * 100)}% ADD; at most ${caps.capped.maxAddRunning} ADD held)`, compare: `no caps ${fmt(caps.free.perSecond)} (${fmt(caps.free.addShare * 100)}% ADD)`, ratio: fmt(capRatio, 2) });
    rows.push({ scenario: cx, figure: 'Redis round trips; MongoDB commands / job', value: `${fmt(caps.capped.cost.redisRoundTrips, 2)}; ${fmt(caps.capped.cost.mongo, 2)}`, compare: `no caps ${fmt(caps.free.cost.redisRoundTrips, 2)}; ${fmt(caps.free.cost.mongo, 2)}` });
    rows.push({
      scenario: `7 one jobClaim call (median of ${caps.claimRoundTrips.calls})`,
      figure: 'Redis round trips / claim',
      value: fmt(caps.claimRoundTrips.capped, 2),
      compare: `no caps ${fmt(caps.claimRoundTrips.free, 2)}`,
      target: 'no more than without caps',
      verdict: verdict(caps.claimRoundTrips.capped - caps.claimRoundTrips.free, (x) => x <= 0),
    });

    await scenario('done', 'done');
    results.cpu = cpu;
    results.seconds = (Date.now() - started) / 1000;
    results.rows = rows;
    const t = tally(rows);
    results.tally = t;
    out('');
    out(markdownTable(rows));
    out('');
    // machine: every process on the machine; above the sum of the others, it is the reference or subscriber children, or other load.
    out('| scenario | wall s | of which waiting for idle backends | CPU s by process (machine: all processes) |');
    out('|---|---:|---:|---|');
    for (const c of cpu) out(`| ${c.scenario} | ${c.wallS} | ${c.idleWaitS} | ${Object.entries(c.cpuS).map(([k, v]) => `${k} ${v}`).join(', ')} |`);
    out('');
    out(`bench: ${b.backend}; ${(results.seconds as number).toFixed(0)} s; load average at the end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    out(`bench: wrote ${writeResults('.bench', results)}`);
    out(summaryLine(0));
    return t.failed === 0 ? 0 : 1;
  } finally {
    await b.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    if (rows.length) out(markdownTable(rows));
    out(summaryLine(1));
    process.exit(1);
  },
);
