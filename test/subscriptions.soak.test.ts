import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { App } from '../src/app.js';
import { burstRun, startPair } from './scenarios/burst.js';

/** Soak (`npm run soak`): a 1,000-event burst to 1,000 subscribers; the quick suite runs it small (subscriptions.test.ts). */
const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
});

function client(app: App, bearer: string): Client {
  const c = createClient({ url: `${app.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${bearer}` }, retryAttempts: 0, lazy: true });
  clients.push(c);
  return c;
}

test('1,000 concurrent subscribers on one instance receive every event of a 1,000-event burst', async () => {
  const { a, b, tokens } = await startPair(import.meta.url);
  await burstRun({ a, b, viewer: tokens.viewer, submitter: tokens.submitter }, { sockets: 100, perSocket: 10, events: 1000, timeoutMs: 240_000 }, client);
}, 300_000);
