import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Logger } from '../logger.js';
import type { AppFastify } from '../server.js';
import type { Metrics } from './metrics.js';

/**
 * Where Prometheus scrapes /metrics: a listener of its own on METRICS_PORT (only /metrics there), and,
 * when METRICS_TOKEN is set, also the public port behind that bearer token. Never open on the public
 * port: without a token it is not served there at all. A scrape without the right token gets 401.
 */
export function tokenMatches(header: string | string[] | undefined, token: string | null): boolean {
  if (token === null) return true;
  const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

const UNAUTHORIZED = 'a bearer token is required: send "authorization: Bearer <METRICS_TOKEN>"\n';

/** GET /metrics on the public port, behind the token. */
export function registerMetricsRoute(fastify: AppFastify, metrics: Metrics, token: string): void {
  fastify.get('/metrics', async (request, reply) => {
    if (!tokenMatches(request.headers.authorization, token)) {
      return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').type('text/plain').send(UNAUTHORIZED);
    }
    return reply.type(metrics.contentType).send(await metrics.render());
  });
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** The metrics listener; resolves once it listens. */
export async function startMetricsServer(metrics: Metrics, opts: { host: string; port: number; token: string | null; logger: Logger }): Promise<MetricsServer> {
  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    if (!tokenMatches(req.headers.authorization, opts.token)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' }).end(UNAUTHORIZED);
      return;
    }
    metrics
      .render()
      .then((text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(req.method === 'HEAD' ? undefined : text))
      .catch((err: unknown) => {
        opts.logger.error({ err }, 'metrics not rendered');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be rendered\n');
      });
  });
  server.keepAliveTimeout = 65_000; // longer than a scrape interval: scrapes reuse their connection
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
