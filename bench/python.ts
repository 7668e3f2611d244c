import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fmt, markdownTable, ratio, tally, verdict, writeResults, type Row } from './report.js';
import { seedJobs, startBenchEnv, type BenchEnv } from './setup.js';

/**
 * `npm run bench:python`: the Python client (clients/python) against the TypeScript client
 * (src/worker-client) in the same run, on the same service (bench/setup.ts: its own FerretDB,
 * redis-server and service process). Each worker is a process of its own running its client's worker
 * at concurrency 1 with a handler that does nothing, so a job is one claim → complete (claimNext) round
 * trip through the client. Per pass: seed a backlog, start 1 or 4 worker processes, and count
 * completions (each process prints a line per job) in the steady window from the moment every process
 * has completed a job until 90% of the backlog is done. Passes alternate the clients; the median pass
 * counts. BENCH_PASSES (default 3), BENCH_PY_JOBS jobs per worker per pass (default 300).
 * Target: Python ≥ 0.7× TypeScript's jobs/s at 1 and at 4 workers. Ends "N passed, N failed".
 */
const passes = Number(process.env.BENCH_PASSES ?? 3);
const jobsPerWorker = Number(process.env.BENCH_PY_JOBS ?? 300);
const python = path.resolve('clients/python/.venv/bin/python');
const out = (s: string) => process.stdout.write(`${s}\n`);

type Client = 'python' | 'typescript';

interface Pass {
  jobsPerSecond: number;
  /** CPU ms the worker processes used per job (whole pass, start-up included). */
  workerCpuMsPerJob: number;
}

function procCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

function spawnWorker(client: Client, b: BenchEnv, workerId: string, operation: string): ChildProcess {
  const args = [b.svc.url, b.tokens.worker, workerId, operation];
  return client === 'python'
    ? spawn(python, [path.resolve('bench/python_worker.py'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(process.execPath, [path.resolve('dist-bench/bench/tsWorker.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** SIGTERM, and resolves once the process exited. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function runPass(b: BenchEnv, client: Client, workers: number, label: string): Promise<Pass> {
  const operation = 'ADD';
  const total = jobsPerWorker * workers;
  await seedJobs(b, label, total, operation);
  const children: ChildProcess[] = [];
  const perWorker = new Array<number>(workers).fill(0);
  let done = 0;
  let windowStart: { at: number; done: number } | undefined;
  let windowEnd: { at: number; done: number } | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: ${done} of ${total} jobs after 120 s`)), 120_000);
    for (let w = 0; w < workers; w++) {
      const child = spawnWorker(client, b, `${label}-${w}`, operation);
      children.push(child);
      child.once('exit', (code, signal) => {
        if (done < total) reject(new Error(`${label}: worker ${w} exited (${code ?? signal}) after ${done} jobs`));
      });
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line !== 'c') return;
        done++;
        perWorker[w]!++;
        const now = performance.now();
        if (!windowStart && perWorker.every((n) => n > 0)) windowStart = { at: now, done };
        if (!windowEnd && done >= total * 0.9) windowEnd = { at: now, done };
        if (done === total) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
  let cpuMs = NaN;
  try {
    await finished;
  } finally {
    cpuMs = children.reduce((sum, c) => sum + procCpuMs(c.pid!), 0);
    await Promise.all(children.map((c) => stop(c)));
  }
  const jobsPerSecond = windowStart && windowEnd && windowEnd.at > windowStart.at ? ((windowEnd.done - windowStart.done) * 1000) / (windowEnd.at - windowStart.at) : NaN;
  return { jobsPerSecond, workerCpuMsPerJob: cpuMs / total };
}

const median = (xs: number[]) => {
  const s = xs.filter(Number.isFinite).sort((a, z) => a - z);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};

async function main(): Promise<number> {
  out(`bench:python: ${os.availableParallelism()} cpus, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}; ${passes} passes; ${jobsPerWorker} jobs per worker per pass`);
  const b = await startBenchEnv(process.env);
  const rows: Row[] = [];
  const results: Record<string, unknown> = { passes, jobsPerWorker, backend: b.backend };
  try {
    await b.fresh('python');
    for (const workers of [1, 4]) {
      const runs: Record<Client, Pass[]> = { python: [], typescript: [] };
      for (let p = 0; p < passes; p++) {
        for (const client of (p % 2 === 0 ? ['typescript', 'python'] : ['python', 'typescript']) as Client[]) {
          const pass = await runPass(b, client, workers, `PY${workers}${client === 'python' ? 'P' : 'T'}${p}`);
          runs[client].push(pass);
          out(`bench:python: ${client} ${workers} worker${workers > 1 ? 's' : ''}, pass ${p + 1}: ${fmt(pass.jobsPerSecond)} jobs/s, worker CPU ${fmt(pass.workerCpuMsPerJob, 2)} ms/job`);
        }
      }
      const py = median(runs.python.map((r) => r.jobsPerSecond));
      const ts = median(runs.typescript.map((r) => r.jobsPerSecond));
      const r = ratio(py, ts);
      results[`workers${workers}`] = runs;
      const scenario = `claim → complete(claimNext), ${workers} worker process${workers > 1 ? 'es' : ''}, concurrency 1 (${fmt(jobsPerWorker * workers)} jobs a pass)`;
      rows.push({ scenario, figure: 'jobs/s: Python client; TypeScript client', value: fmt(py), compare: fmt(ts), ratio: fmt(r, 2), target: '≥ 0.7× TypeScript', verdict: verdict(r, (x) => x >= 0.7) });
      rows.push({
        scenario,
        figure: 'worker process CPU ms / job (start-up included)',
        value: fmt(median(runs.python.map((x) => x.workerCpuMsPerJob)), 2),
        compare: fmt(median(runs.typescript.map((x) => x.workerCpuMsPerJob)), 2),
      });
    }
    out('');
    out(markdownTable(rows));
    out(`bench:python: wrote ${writeResults('.bench', { python: results, rows })}`);
    const t = tally(rows);
    out(`${t.passed} passed, ${t.failed} failed`);
    return t.failed === 0 ? 0 : 1;
  } finally {
    await b.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:python failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    out('0 passed, 1 failed');
    process.exit(1);
  },
);
