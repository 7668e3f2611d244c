import os from 'node:os';
import { Types } from 'mongoose';
import { fmt, markdownTable, ratio, tally, verdict, writeResults, type Row } from './report.js';
import { gql, percentile, sleep } from './load.js';
import { seedJobs, startBenchEnv, type BenchEnv } from './setup.js';
import { BenchWorker } from './worker.js';

/**
 * `npm run bench:volume`: the service at volume on the embedded database (or MONGODB_URI / REDIS_URL),
 * the service in a child process of its own (bench/setup.ts), every scenario on a fresh database:
 *   1. slim documents: the jobs page at BENCH_SLIM_JOBS (2,000) jobs whose logs hold BENCH_LOG_LINES (10)
 *      lines each, with the logs in their own collection (now) and embedded in the job documents (before);
 *   2. retention: BENCH_VOLUME_JOBS (10,000) jobs run through the queue (waves of one job per target over
 *      BENCH_TARGETS targets, 10 workers completing with claimNext), with retention at its dev default
 *      (24 h / 168 h / at most 1,000 terminal jobs; the pass every 5 s instead of 60 s so the bench need not
 *      wait) and without retention; then the jobs page;
 *   3. a bulk retry of BENCH_BULK (5,000) failed jobs: time to finish, and `job(id)` and the jobs page
 *      meanwhile, against the same before it started.
 * Page figures: BENCH_PAGES (20) requests one after another; latency p50/p99 and the database's CPU
 * (FerretDB's, from /proc) per page. BENCH_ONLY=slim,retention,bulk picks scenarios. Ends with "N passed, N failed".
 */
const env = process.env;
const SLIM_JOBS = Number(env.BENCH_SLIM_JOBS ?? 2_000);
const LOG_LINES = Number(env.BENCH_LOG_LINES ?? 10);
const VOLUME_JOBS = Number(env.BENCH_VOLUME_JOBS ?? 10_000);
const TARGETS = Number(env.BENCH_TARGETS ?? 200);
const BULK = Number(env.BENCH_BULK ?? 5_000);
const PAGES = Number(env.BENCH_PAGES ?? 20);
const WORKERS = 10;
/** BENCH_ONLY=slim,retention,bulk runs only those scenarios (default: all). */
const ONLY = new Set((env.BENCH_ONLY ?? 'slim,retention,bulk').split(',').map((x) => x.trim()));
const PAGE_QUERY = '{ jobs(first: 20) { nodes { id status target { name } } } }';
const out = (s: string) => process.stdout.write(`${s}\n`);
const rows: Row[] = [];

interface PageFigures {
  jobs: number;
  /** Pages that did not answer (the database's time bound, MONGO_TIMEOUT_MS, ran out: SERVICE_UNAVAILABLE). */
  failed: number;
  p50Ms: number;
  p99Ms: number;
  dbCpuMsPerPage: number;
}

/** PAGES jobs pages one after another: latency (of those that answered) and the database's CPU per page. */
async function pages(b: BenchEnv, n = PAGES): Promise<PageFigures> {
  await gql(b.svc.url, b.tokens.viewer, PAGE_QUERY).catch(() => undefined); // warm
  const cpu0 = b.backendCpu().dbCpuUs;
  const lat: number[] = [];
  let failed = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    try {
      await gql(b.svc.url, b.tokens.viewer, PAGE_QUERY);
      lat.push(performance.now() - t);
    } catch {
      failed++;
    }
  }
  const cpu1 = b.backendCpu().dbCpuUs;
  lat.sort((x, y) => x - y);
  return { jobs: await b.db.collection('jobs').countDocuments(), failed, p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), dbCpuMsPerPage: (cpu1 - cpu0) / 1000 / n };
}

const pageText = (p: PageFigures) => `${p.jobs} jobs, ${fmt(p.p50Ms, 0)} / ${fmt(p.p99Ms, 0)} ms, ${fmt(p.dbCpuMsPerPage, 1)} ms${p.failed ? `, ${p.failed} of ${PAGES} pages not answered within the database bound` : ''}`;

const line = (i: number) => ({ at: new Date(), actor: 'bench-worker-7', message: `stage ${i}: validated 1,234 rows of the input (checksum ok)`, status: 'VALIDATING' });

/** Bulk writes of at most 50 updates (FerretDB v1: at most 100 documents matched per command). */
async function inBatches<T>(items: T[], fn: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += 50) await fn(items.slice(i, i + 50));
}

async function slimScenario(b: BenchEnv): Promise<{ slim: PageFigures; embedded: PageFigures }> {
  await b.fresh('volume-slim');
  await seedJobs(b, 'SLIM', SLIM_JOBS);
  const ids = (await b.db.collection('jobs').find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id as Types.ObjectId);
  const lines = Array.from({ length: LOG_LINES - 1 }, (_, i) => line(i));
  // Now: the lines are in each job's log document (the job document holds none).
  await inBatches(ids, (batch) => b.db.collection('joblogs').bulkWrite(batch.map((_id) => ({ updateOne: { filter: { _id }, update: { $push: { entries: { $each: lines } }, $inc: { n: lines.length } } as never } }))));
  const slim = await pages(b);
  // Before: the same lines embedded in the job documents, as the service stored them until now.
  const first = { at: new Date(), actor: 'bench-sub', message: 'created', status: 'QUEUED' };
  await inBatches(ids, (batch) => b.db.collection('jobs').bulkWrite(batch.map((_id) => ({ updateOne: { filter: { _id }, update: { $set: { log: [first, ...lines] } } } }))));
  const embedded = await pages(b);
  return { slim, embedded };
}

/** Runs every claimable ADD job with WORKERS workers (complete with claimNext) until none is left. */
async function drain(b: BenchEnv): Promise<number> {
  let done = 0;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      const worker = new BenchWorker(b.svc.url, b.tokens.worker, `vol-${w}`);
      let lease = (await worker.claim()).lease;
      while (lease) {
        lease = (await worker.complete(lease, true)).next;
        done++;
      }
    }),
  );
  return done;
}

const CREATE = 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { error { code } } } }';

async function throughQueue(b: BenchEnv, retention: boolean): Promise<{ page: PageFigures; seconds: number; lastPass: unknown }> {
  const settings: Record<string, string> = retention
    ? { RETENTION_COMPLETED_HOURS: '24', RETENTION_FAILED_HOURS: '168', RETENTION_MAX_TERMINAL_JOBS: '1000', RETENTION_INTERVAL_MS: '5000' }
    : { RETENTION_COMPLETED_HOURS: '0', RETENTION_FAILED_HOURS: '0', RETENTION_MAX_TERMINAL_JOBS: '0' };
  await b.fresh(retention ? 'volume-retention' : 'volume-keep', { background: true, env: settings });
  const t0 = performance.now();
  let run = 0;
  while (run < VOLUME_JOBS) {
    const wave = Math.min(TARGETS, VOLUME_JOBS - run);
    for (let i = 0; i < wave; i += 100) {
      const items = Array.from({ length: Math.min(100, wave - i) }, (_, k) => ({ target: `VOL_${i + k}`, operation: 'ADD' }));
      const d = await gql<{ jobsCreate: { results: Array<{ error: { code: string } | null }> } }>(b.svc.url, b.tokens.submitter, CREATE, { i: { items } });
      if (d.jobsCreate.results.some((r) => r.error)) throw new Error('wave refused');
    }
    run += await drain(b);
  }
  const seconds = (performance.now() - t0) / 1000;
  let lastPass: unknown = null;
  if (retention) {
    // Wait for a pass that started after the last job ended (the loop runs every 5 s).
    const ended = Date.now();
    for (let i = 0; i < 120; i++) {
      const r = await gql<{ retention: { lastPass: { startedAt: string; finishedAt: string } | null } }>(b.svc.url, b.tokens.viewer, '{ retention { lastPass { startedAt finishedAt removedCompleted removedOverCap keptForTargets } } }');
      if (r.retention.lastPass && Date.parse(r.retention.lastPass.startedAt) > ended) {
        lastPass = r.retention.lastPass;
        break;
      }
      await sleep(1000);
    }
  }
  return { page: await pages(b), seconds, lastPass };
}

async function bulkScenario(b: BenchEnv): Promise<Record<string, unknown>> {
  await b.fresh('volume-bulk');
  await seedJobs(b, 'BULK', BULK);
  // Fail every one of them for good (not retryable), as workers would.
  const FAIL = 'mutation($i: JobFailInput!) { jobFail(input: $i) { userErrors { code } } }';
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      const worker = new BenchWorker(b.svc.url, b.tokens.worker, `fail-${w}`);
      for (let lease = (await worker.claim()).lease; lease; lease = (await worker.claim()).lease) {
        await gql(b.svc.url, b.tokens.worker, FAIL, { i: { id: lease.job.id, leaseToken: lease.token, reason: 'source unreachable', retryable: false } });
      }
    }),
  );
  const operatorToken = b.tokens.operator;
  const someIds = (await b.db.collection('jobs').find({}, { projection: { _id: 1 } }).limit(200).toArray()).map((d) => (d._id as Types.ObjectId).toHexString());
  const byId = async (): Promise<number> => {
    const t = performance.now();
    await gql(b.svc.url, b.tokens.viewer, 'query($id: ID!) { job(id: $id) { id status } }', { id: someIds[Math.floor(Math.random() * someIds.length)] });
    return performance.now() - t;
  };
  const page = async (): Promise<number> => {
    const t = performance.now();
    await gql(b.svc.url, b.tokens.viewer, PAGE_QUERY);
    return performance.now() - t;
  };
  /** `job(id)` and the jobs page one after another until `stop`, or `n` of each. */
  const others = async (stop: { done: boolean }, n = Infinity) => {
    const lat = { byId: [] as number[], page: [] as number[], failed: 0 };
    for (let i = 0; i < n && !stop.done; i++) {
      await byId().then((ms) => lat.byId.push(ms), () => lat.failed++);
      await page().then((ms) => lat.page.push(ms), () => lat.failed++);
    }
    lat.byId.sort((x, y) => x - y);
    lat.page.sort((x, y) => x - y);
    return lat;
  };
  const before = await others({ done: false }, 10);

  const t0 = performance.now();
  const R = 'mutation($i: JobsRetryInput!) { jobsRetry(input: $i) { matchedCount action { id } userErrors { code message } } }';
  const started = await gql<{ jobsRetry: { matchedCount: number; action: { id: string } | null; userErrors: Array<{ code: string; message: string }> } }>(b.svc.url, operatorToken, R, {
    i: { filter: { deadLetter: true }, expectedCount: BULK },
  });
  if (!started.jobsRetry.action) throw new Error(`jobsRetry refused: ${JSON.stringify(started.jobsRetry.userErrors)}`);
  const stop = { done: false };
  const during = others(stop);
  let action: { state: string; succeededCount: number; failedCount: number } = { state: 'RUNNING', succeededCount: 0, failedCount: 0 };
  while (action.state === 'RUNNING') {
    await sleep(500);
    action = (await gql<{ bulkAction: typeof action }>(b.svc.url, operatorToken, 'query($id: ID!) { bulkAction(id: $id) { state succeededCount failedCount } }', { id: started.jobsRetry.action.id })).bulkAction;
  }
  const seconds = (performance.now() - t0) / 1000;
  stop.done = true;
  const meanwhile = await during;
  return {
    jobs: BULK,
    seconds,
    action,
    before: { byIdP50: percentile(before.byId, 50), byIdP99: percentile(before.byId, 99), pageP50: percentile(before.page, 50), pageP99: percentile(before.page, 99) },
    during: { samples: meanwhile.byId.length, failed: meanwhile.failed, byIdP50: percentile(meanwhile.byId, 50), byIdP99: percentile(meanwhile.byId, 99), pageP50: percentile(meanwhile.page, 50), pageP99: percentile(meanwhile.page, 99) },
  };
}

async function main(): Promise<number> {
  const t0 = Date.now();
  out(`bench:volume: ${os.availableParallelism()} cpus, node ${process.version}; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; slim at ${SLIM_JOBS} jobs x ${LOG_LINES} log lines; ${VOLUME_JOBS} jobs through the queue over ${TARGETS} targets; bulk retry of ${BULK}`);
  const b = await startBenchEnv(env);
  const results: Record<string, unknown> = { backend: b.backend };
  try {
    if (ONLY.has('slim')) {
      const s = await slimScenario(b);
      results.slim = s;
      out(`slim documents at ${s.slim.jobs} jobs: page p50 ${fmt(s.slim.p50Ms, 1)} ms, database CPU ${fmt(s.slim.dbCpuMsPerPage, 1)} ms/page; logs embedded (before): p50 ${fmt(s.embedded.p50Ms, 1)} ms, ${fmt(s.embedded.dbCpuMsPerPage, 1)} ms/page`);
      rows.push(
        { scenario: `jobs page at ${s.slim.jobs} jobs, ${LOG_LINES} log lines each`, figure: 'p50 / p99 latency, logs embedded (before)', value: `${fmt(s.embedded.p50Ms, 1)} / ${fmt(s.embedded.p99Ms, 1)} ms` },
        { scenario: `jobs page at ${s.slim.jobs} jobs, ${LOG_LINES} log lines each`, figure: 'p50 / p99 latency, logs in their own collection (now)', value: `${fmt(s.slim.p50Ms, 1)} / ${fmt(s.slim.p99Ms, 1)} ms` },
        {
          scenario: `jobs page at ${s.slim.jobs} jobs, ${LOG_LINES} log lines each`,
          figure: 'database CPU per page, now vs before',
          value: `${fmt(s.slim.dbCpuMsPerPage, 1)} ms`,
          compare: `${fmt(s.embedded.dbCpuMsPerPage, 1)} ms`,
          ratio: `${fmt(ratio(s.slim.dbCpuMsPerPage, s.embedded.dbCpuMsPerPage), 2)}×`,
          target: '< 1×',
          verdict: verdict(ratio(s.slim.dbCpuMsPerPage, s.embedded.dbCpuMsPerPage), (x) => x < 1),
        },
      );

    }
    if (ONLY.has('retention')) {
      const keep = await throughQueue(b, false);
      out(`without retention: ${VOLUME_JOBS} jobs in ${fmt(keep.seconds, 1)} s; page ${pageText(keep.page)}`);
      const ret = await throughQueue(b, true);
      out(`with retention: ${VOLUME_JOBS} jobs in ${fmt(ret.seconds, 1)} s; page ${pageText(ret.page)}`);
      results.volume = { keep, retention: ret };
      out(`${VOLUME_JOBS} jobs through the queue: without retention ${fmt(keep.seconds, 1)} s, page at ${keep.page.jobs} jobs p50 ${fmt(keep.page.p50Ms, 1)} ms (${fmt(keep.page.dbCpuMsPerPage, 1)} ms database CPU); with retention ${fmt(ret.seconds, 1)} s, page at ${ret.page.jobs} jobs p50 ${fmt(ret.page.p50Ms, 1)} ms (${fmt(ret.page.dbCpuMsPerPage, 1)} ms); last pass ${JSON.stringify(ret.lastPass)}`);
      const sc = `jobs page after ${VOLUME_JOBS} jobs ran`;
      rows.push(
        { scenario: sc, figure: 'without retention: jobs kept, p50 / p99, database CPU per page', value: pageText(keep.page) },
        { scenario: sc, figure: 'with retention (dev default): jobs kept, p50 / p99, database CPU per page', value: pageText(ret.page) },
        { scenario: sc, figure: 'with retention: page p50, every page answered', value: `${fmt(ret.page.p50Ms, 0)} ms`, target: '≤ 300 ms (interactive)', verdict: ret.page.failed ? 'FAIL' : verdict(ret.page.p50Ms, (x) => x <= 300) },
        {
          scenario: sc,
          figure: 'with retention: a retention pass ran and kept at most the cap (+ targets\' last jobs)',
          value: `${ret.page.jobs} jobs`,
          target: `≤ ${1000 + TARGETS}`,
          verdict: ret.lastPass ? verdict(ret.page.jobs, (x) => x <= 1000 + TARGETS) : 'NOT MEASURED',
        },
        { scenario: sc, figure: 'time to run them, without / with retention', value: `${fmt(keep.seconds, 1)} / ${fmt(ret.seconds, 1)} s` },
      );

    }
    if (ONLY.has('bulk')) {
      const bulk = await bulkScenario(b);
      results.bulk = bulk;
      const bu = bulk as { seconds: number; action: { state: string; succeededCount: number }; before: Record<string, number>; during: Record<string, number> };
      out(`bulk retry of ${BULK} failed jobs: ${fmt(bu.seconds, 1)} s (${bu.action.state}, ${bu.action.succeededCount} retried); job(id) p99 before ${fmt(bu.before.byIdP99!, 0)} ms, during ${fmt(bu.during.byIdP99!, 0)} ms; jobs page p99 before ${fmt(bu.before.pageP99!, 0)} ms, during ${fmt(bu.during.pageP99!, 0)} ms`);
      const sb = `bulk retry of ${BULK} failed jobs`;
      rows.push(
        { scenario: sb, figure: 'all retried, time to finish', value: `${bu.action.succeededCount} in ${fmt(bu.seconds, 1)} s`, target: `${BULK} retried`, verdict: bu.action.state === 'DONE' && bu.action.succeededCount === BULK ? 'PASS' : 'FAIL' },
        { scenario: sb, figure: '`job(id)` p50 / p99 meanwhile', value: `${fmt(bu.during.byIdP50!, 0)} / ${fmt(bu.during.byIdP99!, 0)} ms`, compare: `before: ${fmt(bu.before.byIdP50!, 0)} / ${fmt(bu.before.byIdP99!, 0)} ms`, target: 'p99 ≤ 500 ms', verdict: verdict(bu.during.byIdP99!, (x) => x <= 500) },
        {
          scenario: sb,
          figure: 'jobs page p50 / p99 meanwhile',
          value: `${fmt(bu.during.pageP50!, 0)} / ${fmt(bu.during.pageP99!, 0)} ms${bu.during.failed ? ` (${bu.during.failed} of ${bu.during.samples! * 2} queries not answered within the database bound)` : ''}`,
          compare: `before: ${fmt(bu.before.pageP50!, 0)} / ${fmt(bu.before.pageP99!, 0)} ms`,
        },
      );
    }
  } finally {
    await b.close();
  }
  results.rows = rows;
  results.seconds = (Date.now() - t0) / 1000;
  out(markdownTable(rows));
  out(`results: ${writeResults('.bench', results)} (${fmt((Date.now() - t0) / 1000, 0)} s)`);
  const t = tally(rows);
  out(`${t.passed} passed, ${t.failed} failed`);
  return t.failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:volume: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    out('0 passed, 1 failed');
    process.exit(1);
  },
);
