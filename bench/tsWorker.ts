import { JobWorker } from '../src/worker-client/index.js';

/**
 * One TypeScript worker process for bench/python.ts: src/worker-client's JobWorker, concurrency 1, a
 * handler that does nothing, so what is measured is claim → complete (claimNext) through the client.
 * Prints "c" per completed job; SIGTERM stops it (exit 0).
 * Arguments: URL TOKEN WORKER_ID OPERATION.
 */
const [url, token, workerId, operation] = process.argv.slice(2) as [string, string, string, string];
const worker = new JobWorker({
  url,
  token,
  workerId,
  operations: [operation as 'ADD'],
  concurrency: 1,
  waitSeconds: 20,
  handler: async () => {},
  onEvent: (event) => {
    if (event.event === 'completed') process.stdout.write('c\n');
  },
});
process.on('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
await worker.start();
