import type { Client } from 'graphql-ws';
import type { App } from '../../src/app.js';
import { gql, startAppWithIssuer, startTestApp } from '../harness/app.js';
import type { RoleTokens } from '../harness/jwks.js';
import { until } from '../harness/until.js';

/** Events (or errors) of one subscription as they arrive. */
export interface Collector<T> {
  events: T[];
  errors: unknown[];
  waitFor(n: number, timeoutMs?: number): Promise<T[]>;
}

export function collect<T>(c: Client, query: string, variables?: Record<string, unknown>): Collector<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  c.subscribe<T>({ query, variables }, { next: (r) => (r.errors ? errors.push(r.errors) : events.push(r.data as T)), error: (e) => errors.push(e), complete: () => undefined });
  return {
    events,
    errors,
    async waitFor(n, timeoutMs = 30_000) {
      await until(`${n} events`, () => {
        if (errors.length) throw new Error(`subscription error: ${JSON.stringify(errors[0])}`);
        return events.length >= n;
      }, timeoutMs, 20).catch((err: Error) => {
        throw new Error(`${err.message} (got ${events.length})`);
      });
      return events;
    },
  };
}

/**
 * Two instances on one database and Redis (a new pair each call), one issuer. A's subscribers live in
 * this very process, which also runs both services: in a large burst the whole burst sits in the
 * kernel's socket buffers and this process reads it more than 12 s late, so the default keep-alive
 * would rightly drop those sockets (1006). A gets a long one; B, whose sockets the keep-alive test
 * uses, a short one.
 */
export async function startPair(file: string): Promise<{ a: App; b: App; tokens: RoleTokens; token: (roles: string[], sub?: string) => Promise<string> }> {
  const started = await startAppWithIssuer({ file, env: { WS_KEEPALIVE_SECONDS: '120' }, instrument: true });
  const b = await startTestApp({ file, jwksUrl: started.jwks.url, name: started.app.name, env: { WS_KEEPALIVE_SECONDS: '1' } });
  return { a: started.app, b, tokens: started.tokens, token: started.token };
}

const CREATE = `mutation($i: JobsCreateInput!) { jobsCreate(input: $i) { results { job { id } error { code } } } }`;

/**
 * sockets x perSocket subscribers on instance A receive, in order, every one of `events` jobs created
 * in one batch through instance B. The quick suite runs a small burst, `npm run soak` 1,000 x 1,000.
 */
export async function burstRun(
  p: { a: App; b: App; viewer: string; submitter: string },
  o: { sockets: number; perSocket: number; events: number; timeoutMs: number },
  client: (app: App, bearer: string) => Client,
): Promise<void> {
  const before = p.a.bus.subscriberCount('job');
  const subs: Array<Collector<{ jobEvents: { job: { id: string } } }>> = [];
  for (let s = 0; s < o.sockets; s++) {
    const c = client(p.a, p.viewer);
    for (let i = 0; i < o.perSocket; i++) subs.push(collect(c, `subscription { jobEvents(filter: { operations: [DELETE_ARCHIVE] }) { job { id } } }`));
  }
  const total = o.sockets * o.perSocket;
  await until(`${total} job subscribers registered`, () => p.a.bus.subscriberCount('job') >= before + total, 30_000, 20);
  const items = Array.from({ length: o.events }, (_, i) => ({ target: `BURST_${i}`, operation: 'DELETE_ARCHIVE' }));
  const started = Date.now();
  const created = await gql<{ jobsCreate: { results: Array<{ job: { id: string } }> } }>(p.b.url, CREATE, { i: { items } }, p.submitter);
  expect(created.body.errors).toBeUndefined();
  const ids = created.body.data!.jobsCreate.results.map((r) => r.job.id);
  for (const sub of subs) await sub.waitFor(o.events, o.timeoutMs);
  const seconds = (Date.now() - started) / 1000;
  for (const sub of subs) {
    expect(sub.errors).toEqual([]);
    expect(sub.events.map((e) => e.jobEvents.job.id)).toEqual(ids);
  }
  process.stdout.write(`${total.toLocaleString('en')} subscribers x ${o.events.toLocaleString('en')} events: ${((total * o.events) / seconds).toFixed(0)} deliveries/s (${seconds.toFixed(1)} s, including the inserts)\n`);
}
