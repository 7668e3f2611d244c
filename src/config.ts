import path from 'node:path';
import { z } from 'zod';

/**
 * The one place that reads process.env. Every option has a one-line doc and a
 * default; `loadConfig` reports every problem at once and the caller exits 1.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** A whole number ≥ 0 written as digits only ("" or "-1" or "1e3" or "ten" are refused, not read as 0 or NaN). */
const count = (max: number, what: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number of ${what}, 0 or more (0 keeps forever)`)
    .transform(Number)
    .pipe(z.number().max(max, `at most ${max}`));
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

/**
 * Defaults of the backend time bounds. Also used by code that connects without a Config
 * (tests that open a connection of their own), so the numbers live here only.
 */
export const BACKEND_TIMEOUT_DEFAULTS = {
  mongoMs: 5_000,
  redisCommandMs: 2_000,
  redisConnectMs: 5_000,
} as const;

const envSchema = z.object({
  /** development | test | production. Production refuses the embedded defaults. */
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** Address the HTTP server binds. Default: 127.0.0.1 (0.0.0.0 in production). */
  HOST: z.string().min(1).optional(),
  /** HTTP port for /graphql, /healthz, /readyz. 0 picks a free port. Default 4000. */
  PORT: int(0, 65535).default(4000),
  /** MongoDB connection string. Unset (not production): embedded FerretDB under DATA_DIR. */
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// or mongodb+srv:// URI').optional(),
  /** Redis connection string. Unset (not production): a redis-server child under DATA_DIR. */
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').optional(),
  /**
   * Redis Cluster instead of one Redis: comma-separated seed nodes, `host:port` or `redis://[user:password@]host:port`
   * (`rediss://` for TLS; every node alike). Mutually exclusive with REDIS_URL.
   */
  REDIS_CLUSTER_NODES: csv.optional(),
  /**
   * Prefix of every Redis key and channel, so several deployments can share one Redis. Its `{tag}` (hash tag) puts
   * every key of the queue in one Redis Cluster slot, which the queue's scripts need; required in cluster mode. Default "{js}:".
   */
  REDIS_KEY_PREFIX: z.string().min(1).max(64).default('{js}:'),
  /**
   * Bound on every MongoDB operation, in ms: server selection, connection check-out and the reply
   * (the driver's timeoutMS), also against a server that accepts the connection but never answers. Default 5000.
   */
  MONGO_TIMEOUT_MS: int(50, 600_000).default(BACKEND_TIMEOUT_DEFAULTS.mongoMs),
  /** Bound on the reply to every Redis command, in ms (ioredis commandTimeout); long polls wait on pub/sub, not on a command. Default 2000. */
  REDIS_COMMAND_TIMEOUT_MS: int(50, 600_000).default(BACKEND_TIMEOUT_DEFAULTS.redisCommandMs),
  /** Bound on opening a Redis connection, in ms (ioredis connectTimeout). Default 5000. */
  REDIS_CONNECT_TIMEOUT_MS: int(50, 600_000).default(BACKEND_TIMEOUT_DEFAULTS.redisConnectMs),
  /** JWKS endpoint used to verify bearer tokens. Unset (not production): the dev issuer's own JWKS. */
  JWKS_URL: z.string().url().optional(),
  /** Required "iss" claim. Default in dev: job-service-dev. */
  JWT_ISSUER: z.string().min(1).optional(),
  /** Required "aud" claim. Default in dev: job-service. */
  JWT_AUDIENCE: z.string().min(1).optional(),
  /** Accepted signature algorithms (asymmetric only). Default RS256,ES256,EdDSA. */
  JWT_ALGORITHMS: csv.default(['RS256', 'ES256', 'EdDSA']),
  /** Clock tolerance for exp/nbf/iat, in seconds. Default 5. */
  JWT_CLOCK_TOLERANCE_SECONDS: int(0, 300).default(5),
  /** Claim holding the caller's roles (array or space-separated string; dots walk into objects). Default "roles". */
  JWT_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** Minimum time between two JWKS refetches caused by an unknown kid, in ms. Default 30000. */
  JWKS_COOLDOWN_MS: int(0, 3_600_000).default(30_000),
  /** Maximum age of the cached JWKS, in ms. Default 600000. */
  JWKS_CACHE_MAX_AGE_MS: int(0, 86_400_000).default(600_000),
  /** Folder for the embedded database, redis-server and dev issuer key. Default ./.data. */
  DATA_DIR: z.string().min(1).default('.data'),
  /** FerretDB launcher binary built by scripts/build-ferretdb.sh. Default ./.tools/ferretdb. */
  FERRETDB_BIN: z.string().min(1).default('.tools/ferretdb'),
  /** redis-server binary for the embedded default. Default: redis-server on PATH. */
  REDIS_SERVER_BIN: z.string().min(1).default('redis-server'),
  /** pino log level. Default info. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Upper bound for graceful shutdown before the process gives up, in ms. Default 10000. */
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000).default(10_000),
  /**
   * graphql-ws keep-alive: the service pings every socket this often and closes one whose pong has not
   * come back within the same time (0: no pings). Default 12.
   */
  WS_KEEPALIVE_SECONDS: int(0, 3600).default(12),
  /** Introspection on /graphql. Default: on outside production, off in production. */
  GRAPHQL_INTROSPECTION: bool.optional(),
  /** Folder of importable `<NAME>.tar` files (and its archive/ subfolder). Default DATA_DIR/input. */
  INPUT_DIR: z.string().min(1).optional(),
  /** Built admin app served at /admin ("" turns it off). Default ./dist/admin (made by `npm run build`). */
  ADMIN_DIR: z.string().default('dist/admin'),
  /** Whether BUMP jobs are accepted. Default false. */
  BUMP_ENABLED: bool.default(false),
  /** Lease length of a claimed job; each progress report extends it by this much. Default 30. */
  LEASE_SECONDS: int(1, 3600).default(30),
  /** A worker without a heartbeat for this long is no longer alive. Default 60. */
  CLIENT_EXPIRY_SECONDS: int(2, 86_400).default(60),
  /** Heartbeat interval the service asks workers for. Default 10. */
  HEARTBEAT_INTERVAL_SECONDS: int(1, 3600).default(10),
  /** Longest long-poll wait a jobClaim may ask for. Default 30. */
  CLAIM_MAX_WAIT_SECONDS: int(0, 300).default(30),
  /** How often expired leases are reaped, in ms. Default 1000. */
  REAPER_INTERVAL_MS: int(10, 600_000).default(1000),
  /** How often Mongo and Redis are reconciled (and time limits enforced), in ms. Default 30000. */
  RECONCILE_INTERVAL_MS: int(100, 3_600_000).default(30_000),
  /** A status change whose event its deciding instance has not published this long after the decision is published by any instance's relay (it checks every half of this), in ms. Default 5000. */
  EVENT_RELAY_GRACE_MS: int(1, 600_000).default(5_000),
  /** First retry delay; it doubles per attempt, with ±20% jitter. Default 1000. */
  RETRY_BACKOFF_BASE_MS: int(0, 3_600_000).default(1000),
  /** Longest retry delay. Default 300000. */
  RETRY_BACKOFF_MAX_MS: int(0, 86_400_000).default(300_000),
  /** Never give a retry to a worker that already tried the job. Default false. */
  RETRY_AVOID_SAME_WORKER: bool.default(false),
  /** Hard time limit of one attempt; a job running longer is failed and its worker told to stop. Default 86400. */
  JOB_TIME_LIMIT_SECONDS: int(1, 30 * 86_400).default(86_400),
  /** Most log lines kept per job (the first ones; past it, a count of the dropped lines and the latest write's lines). Default 1000. */
  JOB_LOG_MAX_LINES: int(10, 1_000_000).default(1000),
  /** How long an ended job waits before its log lines move from its document to the job log collection, sharing the commands with other jobs', in ms. Default 250. */
  JOB_LOG_MOVE_MS: int(0, 60_000).default(250),
  /** Most jobs one bulk action (jobsCancel / jobsRetry) takes; a filter matching more gets TOO_MANY. Default 10000. */
  BULK_MAX: int(1, 1_000_000).default(10_000),
  /** Completed and cancelled jobs older than this (hours since they ended) are removed; 0 keeps them. Default 24 (720 in production, 0 under NODE_ENV=test). */
  RETENTION_COMPLETED_HOURS: count(100 * 365 * 24, 'hours').optional(),
  /** Failed jobs older than this (hours since they failed) are removed; 0 keeps them. Default 168 (2160 in production, 0 under NODE_ENV=test). */
  RETENTION_FAILED_HOURS: count(100 * 365 * 24, 'hours').optional(),
  /** Most terminal jobs kept; the oldest beyond it are removed whatever their age; 0: no cap. Default 1000 (0 in production and under NODE_ENV=test). */
  RETENTION_MAX_TERMINAL_JOBS: count(1_000_000_000, 'jobs').optional(),
  /** How often the retention pass runs (one instance at a time), in ms. Default 60000. */
  RETENTION_INTERVAL_MS: int(1000, 86_400_000).default(60_000),
  /** Jobs removed per step of a pass (bounded commands; the loop yields between steps). Default 100. */
  RETENTION_BATCH: int(1, 100).default(100),
  /** Deepest field nesting of one operation (`{ viewer { id } }` is 2), fragments expanded. Default 12. */
  LIMIT_DEPTH: int(1, 1000).default(12),
  /** Most aliases in one operation, fragments expanded. Default 30. */
  LIMIT_ALIASES: int(0, 100_000).default(30),
  /** Most field selections in one operation after fragment expansion (its cost). Default 1000. */
  LIMIT_FIELDS: int(1, 1_000_000).default(1000),
  /** Most lexical tokens in one GraphQL document; the parser stops there. Default 5000. */
  LIMIT_TOKENS: int(10, 10_000_000).default(5000),
  /** Largest HTTP request body, in bytes; larger is refused with 413. Default 1048576 (1 MiB). */
  LIMIT_BODY_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  /** Largest WebSocket message, in bytes; larger closes the socket with 1009. Default 65536 (64 KiB). */
  LIMIT_WS_PAYLOAD_BYTES: int(1024, 1024 * 1024 * 1024).default(64 * 1024),
  /** Most operations running at once on one graphql-ws socket; more are refused, the socket stays. Default 20. */
  LIMIT_SUBSCRIPTIONS_PER_SOCKET: int(1, 10_000).default(20),
  /**
   * Port of the Prometheus /metrics endpoint, a listener of its own (0 picks a free port). Default: unset,
   * no metrics port. Metrics are kept when this or METRICS_TOKEN is set, and not at all otherwise.
   */
  METRICS_PORT: int(0, 65535).optional(),
  /** Address the metrics port binds. Default: HOST. */
  METRICS_HOST: z.string().min(1).optional(),
  /**
   * Bearer token a scrape must send (at least 16 characters). Set: /metrics is also served on the public
   * port, behind it, and the metrics port asks for it too. Default: unset (no /metrics on the public port).
   */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Keep the per-minute job counters behind jobStats and the dashboard (a few Redis commands per job, no extra round trip). Default true. */
  JOB_STATS: bool.default(true),
  /**
   * OTLP/HTTP endpoint for traces (the OpenTelemetry variable; OTEL_EXPORTER_OTLP_TRACES_ENDPOINT also
   * works). Unset: no tracing. The exporter reads the other OTEL_* variables itself (headers, protocol, timeout).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  /** "none" turns tracing off even with an endpoint (OpenTelemetry's OTEL_TRACES_EXPORTER). */
  OTEL_TRACES_EXPORTER: z.string().optional(),
  /** Most finished spans waiting for export; more are dropped and counted (OpenTelemetry's variable). Default 2048. */
  OTEL_BSP_MAX_QUEUE_SIZE: int(1, 1_000_000).default(2048),
  /** service.name of the traces. Default job-service. */
  OTEL_SERVICE_NAME: z.string().min(1).default('job-service'),
});

/** Metrics, job stats and tracing (src/observability). */
export interface ObservabilityConfig {
  /** Keep Prometheus metrics (METRICS_PORT or METRICS_TOKEN set). */
  metrics: boolean;
  metricsPort: number | null;
  metricsHost: string;
  metricsToken: string | null;
  jobStats: boolean;
  /** Export traces over OTLP/HTTP (an endpoint is set and OTEL_TRACES_EXPORTER is not "none"). */
  tracing: boolean;
  serviceName: string;
  /** Bound of the span export queue. */
  traceQueueSize: number;
}

export interface AuthConfig {
  /** Set when the service signs its own dev tokens and serves their JWKS. */
  devIssuer: boolean;
  jwksUrl: string | undefined;
  issuer: string;
  audience: string;
  algorithms: string[];
  clockToleranceSeconds: number;
  rolesClaim: string;
  jwksCooldownMs: number;
  jwksCacheMaxAgeMs: number;
}

export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  mongoUri: string | undefined;
  redisUrl: string | undefined;
  /** Set when REDIS_CLUSTER_NODES selects Redis Cluster (redisUrl is then unset). */
  redisCluster: RedisClusterConfig | undefined;
  redisKeyPrefix: string;
  /** Time bounds on MongoDB and Redis calls (src/db). */
  backendTimeouts: BackendTimeouts;
  auth: AuthConfig;
  dataDir: string;
  ferretdbBin: string;
  redisServerBin: string;
  logLevel: string;
  shutdownTimeoutMs: number;
  /** Ping interval and pong deadline of graphql-ws sockets, in ms; 0: no pings. */
  wsKeepAliveMs: number;
  introspection: boolean;
  inputDir: string;
  bumpEnabled: boolean;
  /** Folder of the built admin app served at /admin; null: not served. */
  adminDir: string | null;
  queue: QueueConfig;
  limits: LimitsConfig;
  observability: ObservabilityConfig;
  /** Most jobs one bulk action takes (BULK_MAX). */
  bulkMax: number;
  /** Most log lines kept per job. */
  jobLogMaxLines: number;
  /** How long an ended job waits for the log mover, in ms (JOB_LOG_MOVE_MS). */
  jobLogMoveMs: number;
  retention: RetentionConfig;
}

/** Which terminal jobs the retention pass removes (src/services/retention.ts); 0 keeps forever. */
export interface RetentionConfig {
  /** COMPLETED and CANCELLED jobs older than this (since they ended), in ms; 0: kept. */
  completedMaxAgeMs: number;
  /** FAILED jobs older than this, in ms; 0: kept. */
  failedMaxAgeMs: number;
  /** Most terminal jobs kept (oldest removed first); 0: no cap. */
  maxTerminalJobs: number;
  intervalMs: number;
  batch: number;
}

/** Retention defaults: short in development (keeps the embedded database's pages interactive), long in production. */
export const RETENTION_DEFAULTS = {
  development: { completedHours: 24, failedHours: 168, maxTerminalJobs: 1000 },
  production: { completedHours: 720, failedHours: 2160, maxTerminalJobs: 0 },
  /** NODE_ENV=test (the test harness): nothing is removed unless a test asks for it. */
  test: { completedHours: 0, failedHours: 0, maxTerminalJobs: 0 },
} as const;

/** Seed nodes of a Redis Cluster and how to log in to every node. */
export interface RedisClusterConfig {
  nodes: Array<{ host: string; port: number }>;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
}

/**
 * REDIS_CLUSTER_NODES entries (`host:port` or `redis[s]://[user:password@]host:port`) as seed nodes,
 * or what is wrong with them. Credentials and TLS must be the same on every entry that gives them.
 */
export function parseClusterNodes(entries: string[]): RedisClusterConfig | string {
  if (entries.length === 0) return 'at least one host:port is required';
  const nodes: RedisClusterConfig['nodes'] = [];
  const logins = new Set<string>();
  const schemes = new Set<string>();
  let username: string | undefined;
  let password: string | undefined;
  for (const entry of entries) {
    let url: URL;
    try {
      url = new URL(/^[a-z]+:\/\//i.test(entry) ? entry : `redis://${entry}`);
    } catch {
      return `"${entry.replace(/\/\/[^@/]*@/, '//…@')}" is not host:port or redis://host:port`;
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') return `"${url.protocol}" is not redis: or rediss:`;
    const port = Number(url.port || 6379);
    if (!url.hostname || !Number.isInteger(port) || port < 1 || port > 65535) return `"${url.host}" needs a host and a port`;
    schemes.add(url.protocol);
    if (url.username || url.password) {
      username = url.username ? decodeURIComponent(url.username) : undefined;
      password = url.password ? decodeURIComponent(url.password) : undefined;
      logins.add(`${url.username}:${url.password}`);
    }
    nodes.push({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
  }
  if (schemes.size > 1) return 'mixes redis:// and rediss:// nodes';
  if (logins.size > 1) return 'gives different credentials for different nodes';
  return { nodes, username, password, tls: schemes.has('rediss:') };
}

/**
 * Why this key prefix cannot be used with Redis Cluster, or null. Redis Cluster runs a script only when every key it
 * touches is in one hash slot; a key's slot is taken from its `{tag}` (the text between the first `{` and the next `}`)
 * when it has one, so a prefix with a non-empty tag puts every key of the queue in one slot.
 */
export function hashTagProblem(prefix: string): string | null {
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  if (open >= 0 && close > open + 1) return null;
  return `"${prefix}" has no hash tag: in Redis Cluster every key a queue script touches must be in one hash slot, which a {tag} in the prefix guarantees (e.g. "{js}:")`;
}

export interface BackendTimeouts {
  /** Bound on every MongoDB operation, in ms. */
  mongoMs: number;
  /** Bound on the reply to every Redis command, in ms. */
  redisCommandMs: number;
  /** Bound on opening a Redis connection, in ms. */
  redisConnectMs: number;
}

/** Request limits, the same on HTTP and graphql-ws, all enforced before any resolver runs (see src/limits.ts). */
export interface LimitsConfig {
  depth: number;
  aliases: number;
  fields: number;
  tokens: number;
  bodyBytes: number;
  wsPayloadBytes: number;
  subscriptionsPerSocket: number;
}

export interface QueueConfig {
  leaseMs: number;
  clientExpirySeconds: number;
  heartbeatIntervalSeconds: number;
  claimMaxWaitSeconds: number;
  reaperIntervalMs: number;
  reconcileIntervalMs: number;
  eventRelayGraceMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  avoidSameWorker: boolean;
  jobTimeLimitMs: number;
}

export const DEV_ISSUER = 'job-service-dev';
export const DEV_AUDIENCE = 'job-service';
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once. Throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const production = e.NODE_ENV === 'production';

  if (production) {
    for (const key of ['MONGODB_URI', 'JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE'] as const) {
      if (!e[key]) problems.push(`${key} is required when NODE_ENV=production`);
    }
    if (!e.REDIS_URL && !e.REDIS_CLUSTER_NODES) problems.push('REDIS_URL (or REDIS_CLUSTER_NODES) is required when NODE_ENV=production');
  }
  let redisCluster: RedisClusterConfig | undefined;
  if (e.REDIS_CLUSTER_NODES) {
    if (e.REDIS_URL) problems.push('REDIS_URL and REDIS_CLUSTER_NODES: set one of them, not both');
    const parsedNodes = parseClusterNodes(e.REDIS_CLUSTER_NODES);
    if (typeof parsedNodes === 'string') problems.push(`REDIS_CLUSTER_NODES: ${parsedNodes}`);
    else redisCluster = parsedNodes;
    const tagProblem = hashTagProblem(e.REDIS_KEY_PREFIX);
    if (tagProblem) problems.push(`REDIS_KEY_PREFIX: ${tagProblem}`);
  }
  const badAlgs = e.JWT_ALGORITHMS.filter((a) => !ASYMMETRIC.test(a));
  if (badAlgs.length > 0) problems.push(`JWT_ALGORITHMS: only asymmetric algorithms are allowed, not ${badAlgs.join(', ')}`);
  if (e.JWT_ALGORITHMS.length === 0) problems.push('JWT_ALGORITHMS: at least one algorithm is required');
  if (problems.length > 0) throw new ConfigError(problems);

  const devIssuer = !e.JWKS_URL;
  const host = e.HOST ?? (production ? '0.0.0.0' : '127.0.0.1');
  return {
    env: e.NODE_ENV,
    host,
    port: e.PORT,
    mongoUri: e.MONGODB_URI,
    redisUrl: e.REDIS_URL,
    redisCluster,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    backendTimeouts: {
      mongoMs: e.MONGO_TIMEOUT_MS,
      redisCommandMs: e.REDIS_COMMAND_TIMEOUT_MS,
      redisConnectMs: e.REDIS_CONNECT_TIMEOUT_MS,
    },
    auth: {
      devIssuer,
      jwksUrl: e.JWKS_URL,
      issuer: e.JWT_ISSUER ?? DEV_ISSUER,
      audience: e.JWT_AUDIENCE ?? DEV_AUDIENCE,
      algorithms: e.JWT_ALGORITHMS,
      clockToleranceSeconds: e.JWT_CLOCK_TOLERANCE_SECONDS,
      rolesClaim: e.JWT_ROLES_CLAIM,
      jwksCooldownMs: e.JWKS_COOLDOWN_MS,
      jwksCacheMaxAgeMs: e.JWKS_CACHE_MAX_AGE_MS,
    },
    dataDir: path.resolve(e.DATA_DIR),
    ferretdbBin: path.resolve(e.FERRETDB_BIN),
    redisServerBin: e.REDIS_SERVER_BIN,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    wsKeepAliveMs: e.WS_KEEPALIVE_SECONDS * 1000,
    introspection: e.GRAPHQL_INTROSPECTION ?? !production,
    inputDir: path.resolve(e.INPUT_DIR ?? path.join(e.DATA_DIR, 'input')),
    bumpEnabled: e.BUMP_ENABLED,
    adminDir: e.ADMIN_DIR === '' ? null : path.resolve(e.ADMIN_DIR),
    queue: {
      leaseMs: e.LEASE_SECONDS * 1000,
      clientExpirySeconds: e.CLIENT_EXPIRY_SECONDS,
      heartbeatIntervalSeconds: e.HEARTBEAT_INTERVAL_SECONDS,
      claimMaxWaitSeconds: e.CLAIM_MAX_WAIT_SECONDS,
      reaperIntervalMs: e.REAPER_INTERVAL_MS,
      reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
      eventRelayGraceMs: e.EVENT_RELAY_GRACE_MS,
      backoffBaseMs: e.RETRY_BACKOFF_BASE_MS,
      backoffMaxMs: e.RETRY_BACKOFF_MAX_MS,
      avoidSameWorker: e.RETRY_AVOID_SAME_WORKER,
      jobTimeLimitMs: e.JOB_TIME_LIMIT_SECONDS * 1000,
    },
    jobLogMaxLines: e.JOB_LOG_MAX_LINES,
    jobLogMoveMs: e.JOB_LOG_MOVE_MS,
    bulkMax: e.BULK_MAX,
    retention: retentionOf(e, RETENTION_DEFAULTS[e.NODE_ENV]),
    limits: {
      depth: e.LIMIT_DEPTH,
      aliases: e.LIMIT_ALIASES,
      fields: e.LIMIT_FIELDS,
      tokens: e.LIMIT_TOKENS,
      bodyBytes: e.LIMIT_BODY_BYTES,
      wsPayloadBytes: e.LIMIT_WS_PAYLOAD_BYTES,
      subscriptionsPerSocket: e.LIMIT_SUBSCRIPTIONS_PER_SOCKET,
    },
    observability: {
      metrics: e.METRICS_PORT !== undefined || e.METRICS_TOKEN !== undefined,
      metricsPort: e.METRICS_PORT ?? null,
      metricsHost: e.METRICS_HOST ?? host,
      metricsToken: e.METRICS_TOKEN ?? null,
      jobStats: e.JOB_STATS,
      tracing: Boolean(e.OTEL_EXPORTER_OTLP_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) && e.OTEL_TRACES_EXPORTER !== 'none',
      serviceName: e.OTEL_SERVICE_NAME,
      traceQueueSize: e.OTEL_BSP_MAX_QUEUE_SIZE,
    },
  };
}

function retentionOf(
  e: { RETENTION_COMPLETED_HOURS?: number; RETENTION_FAILED_HOURS?: number; RETENTION_MAX_TERMINAL_JOBS?: number; RETENTION_INTERVAL_MS: number; RETENTION_BATCH: number },
  d: { completedHours: number; failedHours: number; maxTerminalJobs: number },
): RetentionConfig {
  const hour = 3_600_000;
  return {
    completedMaxAgeMs: (e.RETENTION_COMPLETED_HOURS ?? d.completedHours) * hour,
    failedMaxAgeMs: (e.RETENTION_FAILED_HOURS ?? d.failedHours) * hour,
    maxTerminalJobs: e.RETENTION_MAX_TERMINAL_JOBS ?? d.maxTerminalJobs,
    intervalMs: e.RETENTION_INTERVAL_MS,
    batch: e.RETENTION_BATCH,
  };
}
