import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * The fan-out scenario's subscribers, in a child process of the bench so their
 * CPU is not counted as the server's: `sockets` graphql-ws clients with
 * `perSocket` subscriptions each. Started by fork() with a SubscribersConfig as
 * its one argument (JSON). Messages to the parent: { received } about every
 * 10 ms while it changes, then on 'stop' { received, latencies, cpuUs } before exiting.
 * Latency is the event's `at` (set by the service at commit) to its arrival here.
 */
export interface SubscribersConfig {
  url: string;
  token: string;
  query: string;
  sockets: number;
  perSocket: number;
}

export type SubscribersReport = { received: number } | { received: number; latencies: number[]; cpuUs: number };

const cfg = JSON.parse(process.argv[2]!) as SubscribersConfig;
const clients: Client[] = [];
const latencies: number[] = [];
let received = 0;
let reported = 0;
let measuring = false;
let cpu = process.cpuUsage();
const send = (m: SubscribersReport) => process.send!(m);

for (let s = 0; s < cfg.sockets; s++) {
  const c = createClient({ url: cfg.url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${cfg.token}` }, retryAttempts: 0, lazy: true });
  clients.push(c);
  for (let k = 0; k < cfg.perSocket; k++) {
    c.subscribe<{ jobEvents: { at: string } }>({ query: cfg.query }, {
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
const ticker = setInterval(() => {
  if (received !== reported) send({ received: (reported = received) });
}, 10);

process.on('message', (msg: string) => {
  if (msg === 'start') {
    measuring = true;
    cpu = process.cpuUsage();
  } else if (msg === 'stop') {
    measuring = false;
    clearInterval(ticker);
    const used = process.cpuUsage(cpu);
    // Disconnect only once the report is written: a large one may still be queued when send() returns.
    process.send!({ received, latencies, cpuUs: used.user + used.system } satisfies SubscribersReport, undefined, {}, () => {
      void Promise.all(clients.map((c) => c.dispose())).finally(() => process.disconnect());
    });
  }
});
