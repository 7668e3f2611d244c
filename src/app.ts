import type { Connection } from 'mongoose';
import { loadDevIssuer, type DevIssuer } from './auth/devIssuer.js';
import { createVerifier, type TokenVerifier } from './auth/verifier.js';
import type { Config } from './config.js';
import { connectDatabase } from './db/mongo.js';
import { closeRedis, connectRedis, connectRedisCluster, redisSettingWarnings, type RedisClient } from './db/redis.js';
import { startEmbedded, type EmbeddedBackends } from './embedded/launcher.js';
import type { Logger } from './logger.js';
import { buildSchema } from './schema.js';
import { createHttpServer, type HttpServer } from './server.js';
import type { Services } from './services/index.js';
import type { EventBus } from './events/bus.js';
import type { RedisQueue } from './queue/index.js';
import { createServices, type ServiceClock } from './services/create.js';
import type { BackgroundLoops } from './services/recovery.js';
import { localGauge } from './observability/metrics.js';
import { registerMetricsRoute, startMetricsServer } from './observability/serve.js';
import type { Observability } from './observability/index.js';
import { startTracing, tracingPlugin } from './observability/tracing.js';

/** One running service instance: backends, services and the HTTP/WebSocket server. */
export interface App {
  /** Base URL, e.g. http://127.0.0.1:4000 (GraphQL at /graphql). */
  url: string;
  config: Config;
  mongo: Connection;
  /** One Redis, or a Redis Cluster (REDIS_CLUSTER_NODES). */
  redis: RedisClient;
  services: Services;
  server: HttpServer;
  /** Present in dev mode: signs tokens that this instance accepts. */
  devIssuer?: DevIssuer;
  /** The reaper, the reconciler and worker expiry. */
  recovery: BackgroundLoops;
  /** The Redis queue (tests look inside it). */
  queue: RedisQueue;
  /** The event bus behind subscriptions. */
  bus: EventBus;
  /** Metrics, job stats and tracing. */
  observability: Observability;
  /** The Prometheus scrape URL on the metrics port (METRICS_PORT); absent when that port is off. */
  metricsUrl?: string;
  /** The single shutdown path. Safe to call twice; bounded by config.shutdownTimeoutMs. */
  close(): Promise<void>;
}

export interface AppOptions {
  /** Database name; default: the one in MONGODB_URI, or "jobservice". Tests give each file its own. */
  dbName?: string;
  /** Time and randomness for the services and queue scripts (tests inject them). */
  clock?: ServiceClock;
  /** Run the reaper and reconciler loops. Default true; tests drive them with recovery.reapOnce(). */
  background?: boolean;
  /**
   * Count MongoDB commands (mongoCommandCount, mongoCommandCounts: the driver's command monitoring) and
   * Redis round trips and commands of the main client (redisStats). Costs CPU per request: tests and benchmarks only. Default false.
   */
  instrument?: boolean;
}

export async function startApp(config: Config, logger: Logger, options: AppOptions = {}): Promise<App> {
  const cleanups: Array<() => Promise<void>> = [];
  const runCleanups = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        logger.error({ err }, 'error during shutdown');
      }
    }
  };

  try {
    // First in, last out: spans of the shutdown itself are still exported.
    const tracing = startTracing(config.observability, logger);
    if (tracing) cleanups.push(() => tracing.release());
    let embedded: EmbeddedBackends | undefined;
    const redisGiven = Boolean(config.redisUrl ?? config.redisCluster);
    if (!config.mongoUri || !redisGiven) {
      if (config.env === 'production') throw new Error('production needs MONGODB_URI and REDIS_URL (or REDIS_CLUSTER_NODES)');
      embedded = await startEmbedded({
        dataDir: config.dataDir,
        ferretdbBin: config.ferretdbBin,
        redisServerBin: config.redisServerBin,
        persistRedis: true,
        logger,
        needMongo: !config.mongoUri,
        needRedis: !redisGiven,
      });
      const e = embedded;
      cleanups.push(() => e.stop());
    }
    const mongoUri = config.mongoUri ?? embedded!.mongoUri!;

    const { conn: mongo, ferret } = await connectDatabase(mongoUri, options.dbName ?? (hasDbName(mongoUri) ? undefined : 'jobservice'), { timeoutMs: config.backendTimeouts.mongoMs, countCommands: options.instrument });
    cleanups.push(() => mongo.close());
    const redisOptions = { commandTimeoutMs: config.backendTimeouts.redisCommandMs, connectTimeoutMs: config.backendTimeouts.redisConnectMs, countRoundTrips: options.instrument };
    const redis = config.redisCluster
      ? await connectRedisCluster(config.redisCluster, 'job-service', redisOptions)
      : await connectRedis(config.redisUrl ?? embedded!.redisUrl!, 'job-service', redisOptions);
    cleanups.push(() => closeRedis(redis));
    // Logged, not refused: a managed Redis may hide its settings, and a test Redis runs without persistence.
    for (const warning of await redisSettingWarnings(redis)) logger.warn(warning);

    const { services, recovery, queue, bus, writer, observability } = await createServices(config, mongo, redis, logger, { ...options.clock, ferret });
    cleanups.push(() => queue.close());
    // Closed in reverse: the writer's queued writes, then the log moves they queued, then the connections.
    cleanups.push(() => services.jobLogs.drain());
    cleanups.push(() => writer.drain());
    cleanups.push(() => services.bulk.stop());
    // Redis back after a drop: if it came back empty, the queue is restored before anything is decided.
    const onRedisReady = () => void services.lifecycle.checkQueue().catch((err: unknown) => logger.error({ err }, 'queue check after reconnect failed'));
    redis.on('ready', onRedisReady);
    cleanups.push(async () => void redis.off('ready', onRedisReady));
    await bus.start();
    cleanups.push(async () => {
      services.events.close();
      await bus.close();
    });
    if (options.background !== false) {
      await recovery.start();
      cleanups.push(() => recovery.stop());
    } else {
      await recovery.reconcileOnce();
    }

    // The queue depth sampler is a background loop too (off when tests drive the loops themselves).
    if (options.background !== false) observability.start();
    cleanups.push(async () => observability.stop());
    const metrics = observability.metrics;

    const devIssuer = config.auth.devIssuer ? await loadDevIssuer(config.dataDir, config.auth.issuer, config.auth.audience) : undefined;
    let verifier: TokenVerifier | undefined;
    const schema = buildSchema();
    const server = await createHttpServer({
      schema,
      services,
      logger,
      verifier: () => verifier!,
      introspection: config.introspection,
      limits: config.limits,
      adminDir: config.adminDir,
      wsKeepAliveMs: config.wsKeepAliveMs,
      jwks: devIssuer ? () => devIssuer.jwks() : undefined,
      plugins: [...(metrics ? [metrics.apolloPlugin(schema)] : []), ...(tracing ? [tracingPlugin(schema)] : [])],
    });
    cleanups.push(() => server.close(Math.max(100, config.shutdownTimeoutMs / 2)));
    let metricsUrl: string | undefined;
    if (metrics) {
      localGauge(metrics, 'websocket_connections', 'Open graphql-ws connections on this instance.', () => server.sockets().open);
      localGauge(metrics, 'websocket_operations', 'Subscriptions (and other operations) running on this instance\'s sockets.', () => server.sockets().subscriptions);
      const { metricsToken, metricsPort, metricsHost } = config.observability;
      if (metricsToken) registerMetricsRoute(server.fastify, metrics, metricsToken);
      if (metricsPort !== null) {
        const ms = await startMetricsServer(metrics, { host: metricsHost, port: metricsPort, token: metricsToken, logger });
        cleanups.push(() => ms.close());
        metricsUrl = ms.url;
      }
    }
    const url = await server.listen(config.host, config.port);
    // The dev issuer's JWKS is fetched from this very server, over HTTP, like any remote JWKS.
    const loopback = url.replace('://0.0.0.0:', '://127.0.0.1:').replace('://[::]:', '://[::1]:');
    verifier = createVerifier(config.auth, config.auth.jwksUrl ?? `${loopback}/.well-known/jwks.json`);

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= withDeadline(runCleanups(), config.shutdownTimeoutMs, logger);
      return closing;
    };
    return { url, config, mongo, redis, services, server, devIssuer, recovery, queue, bus, observability, metricsUrl, close };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}

function hasDbName(uri: string): boolean {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]*)/.exec(uri);
  return Boolean(m?.[1]);
}

async function withDeadline(p: Promise<void>, ms: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`shutdown took longer than ${ms} ms`)), ms);
  });
  try {
    await Promise.race([p, timeout]);
    logger.info('shutdown complete');
  } finally {
    clearTimeout(timer);
  }
}
