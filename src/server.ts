import { randomUUID } from 'node:crypto';
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
import { AuthenticationError, bearerToken, type TokenVerifier } from './auth/verifier.js';
import type { GraphQLContext } from './context.js';
import { createLoaders } from './loaders.js';
import type { Logger } from './logger.js';
import type { Services } from './services/index.js';

export interface ServerOptions {
  schema: GraphQLSchema;
  services: Services;
  logger: Logger;
  /** Resolved lazily: in dev mode the verifier points at this server's own JWKS, known once it listens. */
  verifier: () => TokenVerifier;
  introspection: boolean;
  /** JSON served at /.well-known/jwks.json (dev issuer only). */
  jwks?: () => unknown;
  /** Largest accepted HTTP body, in bytes. */
  bodyLimit?: number;
  /** Largest accepted WebSocket message, in bytes. */
  wsMaxPayload?: number;
  /** Time a socket has to send connection_init, in ms. */
  wsInitTimeoutMs?: number;
}

export type AppFastify = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, Logger>;

export interface HttpServer {
  fastify: AppFastify;
  /** Starts listening; resolves to the base URL (http://host:port). */
  listen(host: string, port: number): Promise<string>;
  /** Fails /readyz, closes sockets, drains HTTP requests. Safe to call twice. */
  close(graceMs: number): Promise<void>;
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

/** Replaces a fault's message with a correlation id that also appears in the log line. */
export function maskError(err: GraphQLFormattedError, correlationId: string): GraphQLFormattedError {
  const code = err.extensions?.code;
  if (typeof code === 'string' && SAFE_CODES.has(code)) return err;
  return {
    message: `Internal server error (correlation id ${correlationId})`,
    locations: err.locations,
    path: err.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR', correlationId },
  };
}

function isFault(err: GraphQLError): boolean {
  const code = err.extensions?.code;
  return !(typeof code === 'string' && SAFE_CODES.has(code));
}

/** Logs faults with the request id, and masks them in the response. */
const errorPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue }) {
        for (const err of errors) {
          if (isFault(err)) contextValue.logger.error({ err: err.originalError ?? err, path: err.path }, 'resolver fault');
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
  const { logger, services } = opts;
  let ready = false;
  let closing: Promise<void> | undefined;

  const fastify = Fastify({
    loggerInstance: logger,
    // Per-request lines cost throughput; faults are logged with their request id instead.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });

  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
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
    plugins: [errorPlugin],
  });
  await apollo.start();

  // Aborted at shutdown so long polls end at once instead of holding the drain.
  const shutdown = new AbortController();

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
    handler: fastifyApolloHandler(apollo, { context: httpContext }),
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

  // graphql-ws on the same port and path.
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.wsMaxPayload ?? 64 * 1024 });
  fastify.server.on('upgrade', (req: IncomingMessage, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/graphql' || closing) {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  type Extra = { principal?: Principal | null; socketId?: string };
  const wsServer = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: opts.schema,
      connectionInitWaitTimeout: opts.wsInitTimeoutMs ?? 3_000,
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const header = params.authorization ?? params.Authorization ?? (typeof params.token === 'string' ? `Bearer ${params.token}` : undefined);
        try {
          (ctx.extra as Extra).principal = await principalFromHeader(header);
          (ctx.extra as Extra).socketId = randomUUID();
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
          if (err instanceof GraphQLError && isFault(err)) logger.error({ err: err.originalError ?? err, correlationId }, 'resolver fault');
        }
        return { ...result, errors: result.errors.map((e) => maskError(e instanceof GraphQLError ? e.toJSON() : e, correlationId)) };
      },
    },
    wss,
  );

  return {
    fastify,
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
