import type { Redis } from 'ioredis';
import { closeRedis, connectRedis } from '../../src/db/redis.js';
import type { RedisQueue } from '../../src/queue/index.js';
import { backends } from '../harness/backends.js';
import { until } from '../harness/until.js';
import { claimOne, FakeClock, makeQueue, oid, queued, T0, testPrefix } from './helpers.js';

/** Long poll: the only tests here that wait on real time, each bounded well under 2 s. */
describe('RedisQueue.waitForWork', () => {
  let workerConn: Redis;
  let producerConn: Redis;
  let clock: FakeClock;
  let worker: RedisQueue;
  let producer: RedisQueue;

  beforeAll(async () => {
    const { redisUrl } = await backends();
    workerConn = await connectRedis(redisUrl, 'queue-wake-worker');
    producerConn = await connectRedis(redisUrl, 'queue-wake-producer');
  });
  afterAll(async () => {
    await closeRedis(workerConn);
    await closeRedis(producerConn);
  });
  beforeEach(async () => {
    clock = new FakeClock(T0 + 3_600_000);
    const prefix = testPrefix();
    const backoff = { baseMs: 300, maxMs: 300, jitter: 0 };
    worker = await makeQueue(workerConn, prefix, clock, { backoff });
    producer = await makeQueue(producerConn, prefix, clock, { backoff });
  });
  afterEach(async () => {
    await worker.close();
    await producer.close();
  });

  test('wakes on an enqueue from another connection well before the timeout', async () => {
    const started = performance.now();
    const waiting = worker.waitForWork(['ADD'], 1_500);
    // Enqueued once the wait is registered: the wake-up, not a check at its start, ends it.
    await until('the wait registered', () => worker.longPolls === 1, 1_000, 5);
    await producer.hydrate(queued(oid(1), 'ADD'));
    expect(await waiting).toBe('WORK');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((await worker.claim({ workerId: 'w1', operations: ['ADD'] })).jobs[0]?.id).toBe(oid(1));
  });

  test('ignores other operations and times out', async () => {
    const started = performance.now();
    const waiting = worker.waitForWork(['ADD'], 300);
    await until('the wait registered', () => worker.longPolls === 1, 1_000, 5);
    await producer.hydrate(queued(oid(1), 'CHANGE'));
    expect(await waiting).toBe('TIMEOUT');
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
  });

  test('returns at once when a job is already ready or a delayed one is due', async () => {
    await producer.hydrate(queued(oid(1), 'ADD', { runAt: clock.now + 5_000 }));
    clock.advance(5_000);
    expect(await worker.waitForWork(['ADD'], 1_500)).toBe('WORK');
    await producer.hydrate(queued(oid(2), 'CHANGE'));
    expect(await worker.waitForWork(['CHANGE'], 1_500)).toBe('WORK');
  });

  test('a job delayed after the wait began wakes it when it falls due: a delayed creation, then a failed attempt\'s retry', async () => {
    // The queue clock stands still; a due time 200 ms after it is 200 ms of real time for the waiter.
    const delayed = worker.waitForWork(['ADD'], 5_000);
    await until('the long poll waits', () => worker.longPolls === 1, 1_000, 5);
    await workerConn.ping(); // its hint (sent before this PING on the same connection) found nothing
    let started = performance.now();
    await producer.hydrate(queued(oid(1), 'ADD', { runAt: clock.now + 200, maxAttempts: 2 }));
    expect(await delayed).toBe('WORK');
    let waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(4_000);

    clock.advance(200);
    const lease = await claimOne(worker, 'w1', ['ADD']);
    const retry = worker.waitForWork(['ADD'], 5_000);
    await until('the second long poll waits', () => worker.longPolls === 1, 1_000, 5);
    await workerConn.ping();
    started = performance.now();
    // The retry's backoff is 300 ms (no jitter): nothing publishes when it falls due, the due time is told at once.
    const failed = await producer.finish(oid(1), lease.token, { outcome: 'fail', retryable: true });
    expect(failed).toMatchObject({ ok: true });
    expect(await retry).toBe('WORK');
    waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(4_000);
  });

  test('a wake message sent while the subscription is broken is not waited out: the waiters claim again once it is back', async () => {
    const waiting = worker.waitForWork(['ADD'], 10_000);
    await until('the long poll waits', () => worker.longPolls === 1, 1_000, 5);
    await workerConn.ping();
    const started = performance.now();
    // The subscriber's connection drops; the job's wake message goes out before it is back (ioredis waits before reconnecting).
    await producerConn.client('KILL', 'TYPE', 'pubsub');
    await producer.hydrate(queued(oid(1), 'ADD'));
    expect(await waiting).toBe('WORK');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await worker.claim({ workerId: 'w1', operations: ['ADD'] })).jobs[0]?.id).toBe(oid(1));
  });

  test('while paused only resuming ends the wait; many waiters share one subscriber', async () => {
    await producer.hydrate(queued(oid(1), 'ADD'));
    await producer.setPaused(true);
    let settled = 0;
    const waits = [worker.waitForWork(['ADD'], 1_500), worker.waitForWork(['CHANGE'], 1_500), worker.waitForWork(['ADD'], 1_500)];
    for (const w of waits) void w.then(() => settled++);
    // The positive sign: all three registered, and Redis answered their hints (one MULTI each, sent before this
    // PING on the same connection); a turn of the event loop lets every answer's callbacks run.
    await until('three long polls', () => worker.longPolls === 3, 1_000, 5);
    await workerConn.ping();
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(0);
    const clients = (await producerConn.client('LIST')) as string;
    const subscribers = clients.split('\n').filter((line) => line.includes(' name=queue-wake-worker ') && / sub=1 /.test(line));
    expect(subscribers).toHaveLength(1);
    await producer.setPaused(false);
    expect(await Promise.all(waits)).toEqual(['WORK', 'WORK', 'WORK']);
  });

  test('a wait aborted while its subscriber connects ends ABORTED at once, not at its time-out', async () => {
    const controller = new AbortController();
    const started = performance.now();
    // This queue's first wait: it subscribes first, and the abort comes while it does.
    const waiting = worker.waitForWork(['ADD'], 1_500, controller.signal);
    controller.abort();
    expect(await waiting).toBe('ABORTED');
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  test('abort and close end waits; close is safe twice', async () => {
    const controller = new AbortController();
    const aborted = worker.waitForWork(['ADD'], 1_500, controller.signal);
    await until('the wait registered', () => worker.longPolls === 1, 1_000, 5);
    controller.abort();
    expect(await aborted).toBe('ABORTED');
    const closing = worker.waitForWork(['ADD'], 1_500);
    await until('the wait registered', () => worker.longPolls === 1, 1_000, 5);
    await worker.close();
    await worker.close();
    expect(await closing).toBe('CLOSED');
    expect(await worker.waitForWork(['ADD'], 1_500)).toBe('CLOSED');
  });
});
