/**
 * A worker process for tests and manual checks: `node dist/src/worker-client/cli.js --url URL
 * --operations ADD,CHANGE --mode sleep:500`. One JSON line per event on stdout, warnings as JSON lines on
 * stderr; SIGTERM or SIGINT stops it gracefully (exit 0), a second signal aborts running jobs.
 *
 * This is a separate program from the service, so reading its own environment (WORKER_TOKEN) here does not
 * break the rule that only the service's config module reads process.env.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { JobOperation } from './client.js';
import type { JobHandler, WorkerLogger } from './types.js';
import { JobWorker } from './worker.js';

const USAGE = `usage: cli.js --url URL [--token TOKEN | env WORKER_TOKEN] --operations ADD,CHANGE
  [--worker-id ID] [--concurrency N] [--mode sleep:<ms>|hang|fail] [--wait-seconds N]
  [--progress-every-ms N] [--stop-timeout-ms N]`;

function print(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function die(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(1);
}

function intFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) die(`--${name} must be a non-negative integer`);
  return parsed;
}

function handlerFor(mode: string): JobHandler {
  const sleep = /^sleep:(\d+)$/.exec(mode);
  if (sleep) {
    const ms = Number(sleep[1]);
    return async (_job, ctx) => {
      await delay(ms / 2, undefined, { signal: ctx.signal });
      await ctx.reportProgress({ progress: 0.5, message: 'halfway' });
      await delay(ms / 2, undefined, { signal: ctx.signal });
      return { message: `slept ${ms} ms` };
    };
  }
  if (mode === 'hang') {
    return (_job, ctx) =>
      new Promise<never>((_resolve, reject) => {
        const abort = (): void => reject(ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error(String(ctx.signal.reason)));
        if (ctx.signal.aborted) abort();
        else ctx.signal.addEventListener('abort', abort, { once: true });
      });
  }
  if (mode === 'fail') {
    return async () => {
      throw new Error('simulated failure');
    };
  }
  return die(`unknown --mode ${mode}`);
}

const logger: WorkerLogger = {
  info: (fields, message) => process.stderr.write(`${JSON.stringify({ level: 'info', message, ...fields })}\n`),
  warn: (fields, message) => process.stderr.write(`${JSON.stringify({ level: 'warn', message, ...fields })}\n`),
  error: (fields, message) => process.stderr.write(`${JSON.stringify({ level: 'error', message, ...fields })}\n`),
};

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        'worker-id': { type: 'string' },
        operations: { type: 'string' },
        concurrency: { type: 'string' },
        mode: { type: 'string' },
        'wait-seconds': { type: 'string' },
        'progress-every-ms': { type: 'string' },
        'stop-timeout-ms': { type: 'string' },
      },
    }));
  } catch (error) {
    die(error instanceof Error ? error.message : String(error));
  }
  const url = values.url ?? die('--url is required');
  const token = values.token ?? process.env.WORKER_TOKEN ?? die('--token or WORKER_TOKEN is required');
  const operations = (values.operations ?? '').split(',').map((op) => op.trim()).filter(Boolean) as JobOperation[];
  if (operations.length === 0) die('--operations is required');
  const stopTimeoutMs = intFlag(values['stop-timeout-ms'], 'stop-timeout-ms', 30_000);

  const worker = new JobWorker({
    url,
    token,
    operations,
    workerId: values['worker-id'],
    concurrency: Math.max(1, intFlag(values.concurrency, 'concurrency', 1)),
    waitSeconds: intFlag(values['wait-seconds'], 'wait-seconds', 20),
    progressEveryMs: values['progress-every-ms'] === undefined ? undefined : intFlag(values['progress-every-ms'], 'progress-every-ms', 5000),
    handler: handlerFor(values.mode ?? 'sleep:1000'),
    logger,
    onEvent: (event) => print({ ...event }),
  });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    print({ event: 'stopping', signal, graceful: signals === 1 });
    void worker.stop({ graceful: signals === 1, timeoutMs: stopTimeoutMs }).then(() => {
      print({ event: 'stopped', workerId: worker.workerId, stats: worker.stats });
      process.exit(0);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  print({ event: 'starting', workerId: worker.workerId, operations });
  await worker.start();
  print({ event: 'started', workerId: worker.workerId });
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 'fatal', message: error instanceof Error ? error.message : String(error) })}\n`);
  process.exit(1);
});
