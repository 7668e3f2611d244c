import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { BenchEnv } from '../setup.js';
import { cpuMicros, gql, percentile, sleep } from '../load.js';

/**
 * Scenario 5: subscription fan-out. `sockets` graphql-ws clients with
 * `perSocket` jobEvents subscriptions each; jobs are created in batches while
 * at most `window` events' deliveries are outstanding (bounded work after the deadline). Latency is the event's `at`
 * (commit time) to its arrival at the subscriber. CPU is this process's (the
 * service and the subscribers both live here).
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
  cpuUsPerDelivery: number;
  /** Deliveries per CPU-second of this process (1e6 / cpuUsPerDelivery). */
  deliveriesPerCoreSecond: number;
}

export async function runFanout(env: BenchEnv, opts: { sockets: number; perSocket: number; seconds: number; batch: number; window: number; maxEvents: number }): Promise<FanoutResult> {
  const subscribers = opts.sockets * opts.perSocket;
  const url = `${env.app.url.replace(/^http/, 'ws')}/graphql`;
  const clients: Client[] = [];
  const latencies: number[] = [];
  let received = 0;
  let measuring = false;
  const before = env.app.bus.subscriberCount('job');
  try {
    for (let s = 0; s < opts.sockets; s++) {
      const c = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${env.tokens.viewer}` }, retryAttempts: 0, lazy: true });
      clients.push(c);
      for (let k = 0; k < opts.perSocket; k++) {
        c.subscribe<{ jobEvents: { at: string } }>({ query: SUB }, {
          next: (r) => {
            if (!measuring || !r.data) return;
            received++;
            latencies.push(Date.now() - Date.parse(r.data.jobEvents.at));
          },
          error: () => undefined,
          complete: () => undefined,
        });
      }
    }
    const ready = Date.now() + 30_000;
    while (env.app.bus.subscriberCount('job') < before + subscribers) {
      if (Date.now() > ready) throw new Error(`only ${env.app.bus.subscriberCount('job') - before} of ${subscribers} subscribers registered`);
      await sleep(50);
    }
    const prefix = `FAN${Date.now().toString(36).toUpperCase()}`;
    const window = opts.window * subscribers;
    let events = 0;
    measuring = true;
    const cpu = process.cpuUsage();
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
        await gql(env.app.url, env.tokens.submitter, CREATE, { i: { items } });
      } catch {
        events -= opts.batch; // not created in time (the service is saturated): stop producing
        break;
      }
    }
    const expected = events * subscribers;
    const drain = performance.now() + 30_000;
    while (received < expected && performance.now() < drain) await sleep(5);
    const seconds = (performance.now() - t0) / 1000;
    const used = cpuMicros(cpu);
    measuring = false;
    latencies.sort((a, b) => a - b);
    const perDelivery = received > 0 ? used / received : NaN;
    return {
      subscribers, events, deliveries: received, expected, seconds,
      deliveriesPerSecond: received / seconds,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      cpuUsPerDelivery: perDelivery,
      deliveriesPerCoreSecond: 1e6 / perDelivery,
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
  }
}
