import { fork } from 'node:child_process';
import type { BenchEnv } from '../setup.js';
import { gql, percentile, sleep } from '../load.js';
import type { SubscribersConfig, SubscribersReport } from '../subscribers.js';

/**
 * Scenario 5: subscription fan-out. `sockets` graphql-ws clients with
 * `perSocket` jobEvents subscriptions each, in a child process (bench/subscribers.ts);
 * the producer runs here and the service in its own process, so the service's
 * CPU per delivery is its own. Jobs are created in batches while at most
 * `window` events' deliveries are outstanding (bounded work after the
 * deadline). Latency is the event's `at` (commit time) to its arrival at the subscriber.
 */
const SUB = 'subscription { jobEvents(filter: { operations: [PATCH_METADATA] }) { kind at job { id status target { name } } } }';
const CREATE = 'mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { error { code } } } }';

export interface FanoutResult {
  subscribers: number;
  events: number;
  deliveries: number;
  expected: number;
  seconds: number;
  deliveriesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU of the service's process per delivery, µs; and of the subscribers' process. */
  cpuUsPerDelivery: number;
  subscriberCpuUsPerDelivery: number;
  /** Deliveries per CPU-second of the service's process (1e6 / cpuUsPerDelivery). */
  deliveriesPerCoreSecond: number;
  /** Per event (one jobsCreate of one item and its fan-out), in the service's process. */
  mongoPerEvent: number;
  redisRoundTripsPerEvent: number;
}

export async function runFanout(env: BenchEnv, opts: { sockets: number; perSocket: number; seconds: number; batch: number; window: number; maxEvents: number }): Promise<FanoutResult> {
  const subscribers = opts.sockets * opts.perSocket;
  const cfg: SubscribersConfig = { url: `${env.svc.url.replace(/^http/, 'ws')}/graphql`, token: env.tokens.viewer, query: SUB, sockets: opts.sockets, perSocket: opts.perSocket };
  const before = await env.svc.subscriberCount('job');
  const child = fork(new URL('../subscribers.js', import.meta.url), [JSON.stringify(cfg)], { stdio: 'inherit' });
  let received = 0;
  let final: Extract<SubscribersReport, { latencies: number[] }> | undefined;
  child.on('message', (m: SubscribersReport) => {
    received = m.received;
    if ('latencies' in m) final = m;
  });
  try {
    const ready = Date.now() + 30_000;
    for (;;) {
      const n = (await env.svc.subscriberCount('job')) - before;
      if (n >= subscribers) break;
      if (Date.now() > ready) throw new Error(`only ${n} of ${subscribers} subscribers registered`);
      await sleep(50);
    }
    const prefix = `FAN${Date.now().toString(36).toUpperCase()}`;
    const window = opts.window * subscribers;
    let events = 0;
    child.send('start');
    const s0 = await env.svc.stats();
    const t0 = performance.now();
    const stopAt = t0 + opts.seconds * 1000;
    while (performance.now() < stopAt && events < opts.maxEvents) {
      if (events * subscribers - received >= window) {
        await sleep(1);
        continue;
      }
      const items = Array.from({ length: opts.batch }, (_, i) => ({ target: `${prefix}_${events + i}`, operation: 'PATCH_METADATA' }));
      events += opts.batch;
      try {
        await gql(env.svc.url, env.tokens.submitter, CREATE, { i: { items } });
      } catch {
        events -= opts.batch; // not created in time (the service is saturated): stop producing
        break;
      }
    }
    const expected = events * subscribers;
    const drain = performance.now() + 30_000;
    while (received < expected && performance.now() < drain) await sleep(5);
    const seconds = (performance.now() - t0) / 1000;
    const s1 = await env.svc.stats();
    child.send('stop');
    const until = Date.now() + 10_000;
    while (!final && Date.now() < until) await sleep(10);
    const latencies = (final?.latencies ?? []).sort((a, b) => a - b);
    const delivered = final?.received ?? received;
    const perDelivery = delivered > 0 ? (s1.cpuUs - s0.cpuUs) / delivered : NaN;
    return {
      subscribers, events, deliveries: delivered, expected, seconds,
      deliveriesPerSecond: delivered > 0 ? delivered / seconds : NaN,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      cpuUsPerDelivery: perDelivery,
      subscriberCpuUsPerDelivery: final && delivered > 0 ? final.cpuUs / delivered : NaN,
      deliveriesPerCoreSecond: 1e6 / perDelivery,
      mongoPerEvent: events > 0 ? (s1.mongo - s0.mongo) / events : NaN,
      redisRoundTripsPerEvent: events > 0 ? (s1.redisRoundTrips - s0.redisRoundTrips) / events : NaN,
    };
  } finally {
    if (child.connected) child.disconnect();
    child.kill();
  }
}
