import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type RawServerDefault } from 'fastify';
import { GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { unauthenticated } from './auth/directive.js';
import type { Principal } from './auth/principal.js';
import { registerAdmin } from './admin.js';
import { AuthenticationError, bearerToken, type TokenVerifier } from './auth/verifier.js';
import type { LimitsConfig } from './config.js';
import type { GraphQLContext } from './context.js';
import { UNAVAILABLE_MESSAGES, unavailableBackend } from './db/unavailable.js';
import { formatLimitError, limitError, limitRules, parseAndValidate } from './limits.js';
import { createLoaders } from './loaders.js';
import type { Logger } from './logger.js';
import type { Services } from './services/index.js';
import { traceRequests } from './observability/tracing.js';
import { sharedSubscribe } from './sharedSubscribe.js';

export interface ServerOptions {
  schema: GraphQLSchema;
  services: Services;
  logger: Logger;
  /** Resolved lazily: in dev mode the verifier points at this server's own JWKS, known once it listens. */
  verifier: () => TokenVerifier;
  introspection: boolean;
  /** JSON served at /.well-known/jwks.json (dev issuer only). */
  jwks?: () => unknown;
  /** Request limits, enforced on HTTP and graphql-ws before any resolver runs. */
  limits: LimitsConfig;
  /** Folder of the built admin app, served at /admin; null or absent: not served. */
  adminDir?: string | null;
  /** Time a socket has to send connection_init, in ms. */
  wsInitTimeoutMs?: number;
  /** Ping interval and pong deadline of sockets, in ms; 0: no pings (WS_KEEPALIVE_SECONDS). */
  wsKeepAliveMs: number;
  /** Apollo plugins added after the server's own (metrics, tracing: src/observability). */
  plugins?: ApolloServerPlugin<GraphQLContext>[];
}

export type AppFastify = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

export interface HttpServer {
  fastify: AppFastify;
  /** Starts listening; resolves to the base URL (http://host:port). */
  listen(host: string, port: number): Promise<string>;
  /** Fails /readyz, closes sockets, drains HTTP requests. Safe to call twice. */
  close(graceMs: number): Promise<void>;
  /** Open WebSocket connections and the operations running on them now (metrics). */
  sockets(): { open: number; subscriptions: number };
}

/** Parses a JSON request body; refuses the keys that poison prototypes when objects are merged. */
export function parseJsonBody(body: string): unknown {
  if (body.trim() === '') throw new Error('the request body is empty: send a JSON object with "query"');
  try {
    return JSON.parse(body, (key, value: unknown) => {
      if (key === '__proto__' || (key === 'constructor' && value !== null && typeof value === 'object' && 'prototype' in value)) {
        throw new TypeError(`the request body contains the key "${key}", which is refused (prototype poisoning)`);
      }
      return value;
    });
  } catch (err) {
    if (err instanceof TypeError) throw err;
    throw new Error(`the request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** A socket lives no longer than its token: closed with 4401 at the token's expiry. */
function closeWhenExpired(socket: { close(code: number, reason: string): void; once(event: 'close', fn: () => void): unknown }, expiresAt: Date): void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = expiresAt.getTime() - Date.now();
    // setTimeout holds at most ~24.8 days; longer tokens are re-armed.
    timer = setTimeout(left > 2 ** 31 - 1 ? arm : () => socket.close(CloseCode.Unauthorized, 'token expired'), Math.min(Math.max(left, 0), 2 ** 31 - 1));
    timer.unref();
  };
  arm();
  socket.once('close', () => clearTimeout(timer));
}

/** Error codes whose message is meant for the client; everything else is masked. */
const SAFE_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_LIMIT_EXCEEDED',
]);

/** Code of a top-level error for a backend that did not answer in time or could not be reached: the client may try again. */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

/**
 * A fault caused by a backend that did not answer (its driver's timeout or connection error, found
 * through originalError and cause) becomes SERVICE_UNAVAILABLE with a message saying which one and
 * that trying again is the remedy; anything else is returned as it is.
 */
export function markUnavailable(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  if (isSafe(formatted.extensions?.code)) return formatted;
  const backend = unavailableBackend(error);
  if (!backend) return formatted;
  return { message: UNAVAILABLE_MESSAGES[backend], locations: formatted.locations, path: formatted.path, extensions: { code: SERVICE_UNAVAILABLE, backend } };
}

/**
 * Replaces a fault's message with a correlation id that also appears in the log line. SERVICE_UNAVAILABLE
 * (set by markUnavailable) keeps its message, which names no host, and gets the correlation id too.
 */
export function maskError(err: GraphQLFormattedError, correlationId: string): GraphQLFormattedError {
  if (isSafe(err.extensions?.code)) return err;
  if (err.extensions?.code === SERVICE_UNAVAILABLE) {
    return { message: err.message, locations: err.locations, path: err.path, extensions: { code: SERVICE_UNAVAILABLE, backend: err.extensions.backend, correlationId } };
  }
  return {
    message: `Internal server error (correlation id ${correlationId})`,
    locations: err.locations,
    path: err.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
  };
}

function isSafe(code: unknown): boolean {
  return typeof code === 'string' && SAFE_CODES.has(code);
}

function isFault(err: GraphQLError): boolean {
  return !isSafe(err.extensions?.code);
}

/** Logs faults with the request id, and masks them in the response. */
const errorPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const err of errors) {
          if (isFault(err)) contextValue.logger.error({ err: err.originalError ?? err, path: err.path, backend: unavailableBackend(err) ?? undefined }, 'resolver fault');
        }
      },
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind === 'single' && response.body.singleResult.errors) {
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => maskError(e, contextValue.reqId));
        }
      },
    };
  },
};

export async function createHttpServer(opts: ServerOptions): Promise<HttpServer> {
  const { logger, services, limits } = opts;
  const rules = limitRules(limits);
  let ready = false;
  let closing: Promise<void> | undefined;

  const fastify = Fastify({
    loggerInstance: logger,
    // Per-request lines cost throughput; faults are logged with their request id instead.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: limits.bodyBytes, // over it: 413 with a JSON error, before the body is parsed
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });

  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  // JSON bodies: parsed here so a refusal says why (Fastify's own parser answers only
  // "not valid JSON"); keys that could poison prototypes are refused, not dropped.
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (err) {
      done(Object.assign(err as Error, { statusCode: 400 }), undefined);
    }
  });
  // Errors before GraphQL runs (body too large, bad JSON) answer in GraphQL's shape, never with a stack.
  fastify.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err, reqId: request.id }, 'request fault');
      return reply.code(500).send({ errors: [{ message: `Internal server error (correlation id ${request.id})`, extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId: request.id } }] });
    }
    const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
    const message = status === 413 ? `the request body is larger than ${limits.bodyBytes} bytes` : err.message;
    return reply.code(status).send({ errors: [{ message, extensions: { code, reason: err.code } }] });
  });

  const principalFromHeader = async (header: unknown): Promise<Principal | null> => {
    const token = bearerToken(header);
    return token ? opts.verifier().verify(token) : null;
  };

  const authError = (err: unknown): never => {
    if (err instanceof AuthenticationError) throw unauthenticated(`invalid token: ${err.message}`);
    throw err;
  };

  const apollo = new ApolloServer<GraphQLContext>({
    schema: opts.schema,
    introspection: opts.introspection,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: !opts.introspection,
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    parseOptions: { maxTokens: limits.tokens },
    validationRules: rules,
    // Apollo hands formatError the original error, the one place that can still see the driver's error class.
    formatError: (formatted, error) => markUnavailable(formatLimitError(formatted, error), error),
    plugins: [errorPlugin, ...(opts.plugins ?? [])],
  });
  await apollo.start();

  // Aborted at shutdown so long polls end at once instead of holding the drain.
  const shutdown = new AbortController();
  // Every graphql-ws long poll listens on this one signal (up to LIMIT_SUBSCRIPTIONS_PER_SOCKET per socket):
  // many listeners are expected here, not a leak, so Node's warning at 11 is turned off.
  setMaxListeners(0, shutdown.signal);

  const httpContext = async (request: FastifyRequest, reply: FastifyReply): Promise<GraphQLContext> => {
    const principal = await principalFromHeader(request.headers.authorization).catch(authError);
    const gone = new AbortController();
    reply.raw.once('close', () => gone.abort());
    const signal = AbortSignal.any([gone.signal, shutdown.signal]);
    return { reqId: request.id, logger: logger.child({ reqId: request.id }), principal, services, loaders: createLoaders(services), signal };
  };

  fastify.route({
    url: '/graphql',
    method: ['GET', 'POST', 'OPTIONS'],
    handler: traceRequests(fastifyApolloHandler(apollo, { context: httpContext })),
  });

  fastify.get('/healthz', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (_req, reply) => {
    if (!ready) return reply.code(503).send({ status: 'unavailable', reason: closing ? 'shutting down' : 'starting' });
    const backends = await services.status.backends();
    const up = backends.every((b) => b.up);
    return reply.code(up ? 200 : 503).send({ status: up ? 'ok' : 'unavailable', backends: backends.map(({ name, up: ok }) => ({ name, up: ok })) });
  });
  if (opts.jwks) {
    const jwks = opts.jwks;
    fastify.get('/.well-known/jwks.json', async (_req, reply) => reply.header('cache-control', 'public, max-age=60').send(jwks()));
  }

  registerAdmin(fastify, opts.adminDir ?? null, logger);

  // graphql-ws on the same port and path.
  // A larger message closes the socket with 1009 (Message Too Big) before it is parsed.
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.wsPayloadBytes });
  fastify.server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/graphql' || closing) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      wss.emit('connection', ws, req);
      // graphql-ws's own handler console.errors a stack for every socket error, so any client
      // could flood stderr with oversized frames. ws itself already closes the socket (1009 for
      // a frame over maxPayload) or destroys it; only the logging is replaced, with pino.
      ws.removeAllListeners('error');
      ws.on('error', (err: Error & { code?: string }) => logger.warn({ err: err.message, code: err.code }, 'websocket error, socket closed'));
    });
  });

  type Extra = { principal?: Principal | null; socketId?: string };
  /** Subscription maps of the connected sockets (graphql-ws keeps one per socket), for the metrics' count. */
  const socketOps = new Set<Record<string, unknown>>();
  const wsServer = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: opts.schema,
      // One execution per event for subscribers that would get the same result (src/sharedSubscribe.ts).
      subscribe: sharedSubscribe(),
      connectionInitWaitTimeout: opts.wsInitTimeoutMs ?? 3_000,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = params.authorization ?? params.Authorization ?? (typeof params.token === 'string' ? `Bearer ${params.token}` : undefined);
        try {
          const principal = await principalFromHeader(header);
          (ctx.extra as Extra).principal = principal;
          (ctx.extra as Extra).socketId = randomUUID();
          if (principal) closeWhenExpired(ctx.extra.socket, principal.expiresAt);
          socketOps.add(ctx.subscriptions);
          ctx.extra.socket.once('close', () => socketOps.delete(ctx.subscriptions));
          return true;
        } catch (err) {
          if (err instanceof AuthenticationError) {
            ctx.extra.socket.close(CloseCode.Forbidden, `invalid token: ${err.message}`.slice(0, 120));
            return false;
          }
          logger.error({ err }, 'socket authentication fault');
          return false;
        }
      },
      // The same checks as Apollo over HTTP, so nothing over a limit reaches a resolver.
      onSubscribe: (ctx, _id, payload) => {
        // graphql-ws reserves every operation in ctx.subscriptions (this one included) until it
        // ends, errs or the client completes it, so the count needs no bookkeeping of its own.
        const active = Object.keys(ctx.subscriptions).length;
        if (active > limits.subscriptionsPerSocket) {
          const max = limits.subscriptionsPerSocket;
          return [limitError('subscriptionsPerSocket', max, `This socket already runs ${max} operations; the limit is ${max}. Complete one first.`, active)];
        }
        const checked = parseAndValidate(opts.schema, payload.query, { maxTokens: limits.tokens, rules, hideSchemaDetails: !opts.introspection });
        if (checked.errors) return checked.errors;
        return { schema: opts.schema, document: checked.document, operationName: payload.operationName, variableValues: payload.variables };
      },
      context: (ctx, id): GraphQLContext => {
        const extra = ctx.extra as Extra;
        const reqId = `${extra.socketId ?? 'ws'}:${id}`;
        return { reqId, logger: logger.child({ reqId }), principal: extra.principal ?? null, services, loaders: createLoaders(services), signal: shutdown.signal };
      },
      onError: (_ctx, id, _payload, errors) => {
        logger.warn({ id, errors: errors.map((e) => e.message) }, 'websocket operation error');
      },
      // Same masking as HTTP: faults are logged with a correlation id and hidden from the client.
      onNext: (ctx, id, _payload, _args, result) => {
        if (!('errors' in result) || !result.errors?.length) return undefined;
        const correlationId = `${(ctx.extra as Extra).socketId ?? 'ws'}:${id}`;
        for (const err of result.errors) {
          if (err instanceof GraphQLError && isFault(err)) logger.error({ err: err.originalError ?? err, correlationId, backend: unavailableBackend(err) ?? undefined }, 'resolver fault');
        }
        return { ...result, errors: result.errors.map((e) => maskError(e instanceof GraphQLError ? markUnavailable(e.toJSON(), e) : e, correlationId)) };
      },
    },
    wss,
    opts.wsKeepAliveMs,
  );

  return {
    fastify,
    sockets() {
      let subscriptions = 0;
      for (const ops of socketOps) subscriptions += Object.keys(ops).length;
      return { open: wss.clients.size, subscriptions };
    },
    async listen(host, port) {
      await fastify.listen({ host, port });
      ready = true;
      const addr = fastify.server.address();
      const actualPort = typeof addr === 'object' && addr ? addr.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;
    },
    close(graceMs) {
      closing ??= (async () => {
        ready = false;
        shutdown.abort();
        await wsServer.dispose();
        const force = setTimeout(() => fastify.server.closeAllConnections(), graceMs);
        try {
          await apollo.stop();
          await fastify.close();
        } finally {
          clearTimeout(force);
        }
      })();
      return closing;
    },
  };
}
