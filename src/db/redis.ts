import { Cluster, Redis, type Command } from 'ioredis';
import { BACKEND_TIMEOUT_DEFAULTS, type RedisClusterConfig } from '../config.js';

/**
 * A Redis client: one server (`Redis`) or a Redis Cluster (`Cluster`, REDIS_CLUSTER_NODES). Both run the same
 * commands; what differs (subscriber connections, sharded pub/sub) is handled by the functions of this module.
 */
export type RedisClient = Redis | Cluster;

/** Whether the client talks to a Redis Cluster. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

export interface RedisConnectOptions {
  /**
   * Bound on the reply to each command, in ms (REDIS_COMMAND_TIMEOUT_MS): a command not answered by then
   * fails with "Command timed out". Default BACKEND_TIMEOUT_DEFAULTS.redisCommandMs.
   */
  commandTimeoutMs?: number;
  /** Bound on opening the connection, in ms (REDIS_CONNECT_TIMEOUT_MS). Default BACKEND_TIMEOUT_DEFAULTS.redisConnectMs. */
  connectTimeoutMs?: number;
  /** Count socket writes and commands (redisStats): tests and benchmarks only. Default false. */
  countRoundTrips?: boolean;
}

/**
 * A connected ioredis client; fails fast instead of queueing commands forever while Redis is down.
 *
 * Auto-pipelining: commands issued in the same tick (many callers' PUBLISHes, reads of one request)
 * go out in one write. While a batch is in flight the next one waits for it, so a command waits at
 * most one command timeout for the batch ahead of it plus its own. Duplicates made for pub/sub
 * inherit these options; they turn auto-pipelining off where they are created (subscribe commands
 * are never auto-pipelined by ioredis anyway).
 */
export async function connectRedis(url: string, name: string, options: RedisConnectOptions = {}): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    commandTimeout: options.commandTimeoutMs ?? BACKEND_TIMEOUT_DEFAULTS.redisCommandMs,
    connectTimeout: options.connectTimeoutMs ?? BACKEND_TIMEOUT_DEFAULTS.redisConnectMs,
    // Also bounded by commandTimeout; this ends a command's retries when the connection keeps dropping.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
  if (options.countRoundTrips) countRoundTrips(redis);
  await redis.connect();
  return redis;
}

/** What a client has sent: socket writes (each one request of one round trip, however many commands it carries) and commands. */
export interface RedisStats {
  roundTrips: number;
  commands: number;
}

const stats = new WeakMap<RedisClient, RedisStats>();

/**
 * Counts every write to the client's socket (a pipeline, auto-pipelined or not, is one write) and
 * every command handed to it. A command replayed from the offline queue after a reconnect is counted once.
 */
function countRoundTrips(redis: Redis): void {
  const counter: RedisStats = { roundTrips: 0, commands: 0 };
  stats.set(redis, counter);
  const seen = new WeakSet<Command>();
  const wrapped = new WeakSet<object>();
  const wrapSocket = (): void => {
    // A reconnect brings a new socket: wrap each once, before the first command is written to it.
    const socket = redis.stream as (typeof redis.stream & { write: (...args: unknown[]) => boolean }) | undefined;
    if (!socket || wrapped.has(socket)) return;
    wrapped.add(socket);
    const write = socket.write;
    socket.write = function (this: unknown, ...args: unknown[]) {
      counter.roundTrips++;
      return write.apply(this, args);
    };
  };
  const send = redis.sendCommand;
  redis.sendCommand = function (this: Redis, command, stream) {
    if (!seen.has(command)) {
      seen.add(command);
      counter.commands++;
    }
    wrapSocket();
    return send.call(this, command, stream);
  };
}

/** Round trips and commands this client has sent so far (a copy). Needs countRoundTrips. */
export function redisStats(redis: RedisClient): RedisStats {
  const counter = stats.get(redis);
  if (!counter) throw new Error('this client does not count its round trips: connect it with { countRoundTrips: true } (startApp: { instrument: true })');
  return { ...counter };
}

/** Why the service cannot start on this Redis Cluster (one message, the whole reason). */
export class RedisClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedisClusterError';
  }
}

const CLUSTER_SLOTS = 16_384;

/**
 * A connected Redis Cluster client; fails with one RedisClusterError when it does not become ready within the
 * connect timeout: no seed node answers, or some hash slots are served by no node (ioredis waits for a full slot map).
 * Same time bounds, retries and auto-pipelining as connectRedis; round trips are not counted (countRoundTrips is ignored).
 */
export async function connectRedisCluster(config: RedisClusterConfig, name: string, options: RedisConnectOptions = {}): Promise<Cluster> {
  const connectTimeout = options.connectTimeoutMs ?? BACKEND_TIMEOUT_DEFAULTS.redisConnectMs;
  const cluster = new Cluster(config.nodes, {
    lazyConnect: true,
    enableAutoPipelining: true,
    enableOfflineQueue: true,
    slotsRefreshTimeout: connectTimeout,
    clusterRetryStrategy: (times) => Math.min(times * 100, 2_000),
    redisOptions: {
      connectionName: name,
      commandTimeout: options.commandTimeoutMs ?? BACKEND_TIMEOUT_DEFAULTS.redisCommandMs,
      connectTimeout,
      maxRetriesPerRequest: 2,
      username: config.username,
      password: config.password,
      tls: config.tls ? {} : undefined,
    },
  });
  const seeds = config.nodes.map((n) => `${n.host}:${n.port}`).join(', ');
  cluster.on('error', () => undefined); // reported by connect below or by the failing command
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      cluster.connect(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), connectTimeout))),
    ]);
  } catch {
    cluster.disconnect();
    throw new RedisClusterError(await whyClusterNotReady(config, seeds, connectTimeout));
  } finally {
    clearTimeout(timer);
  }
  return cluster;
}

/**
 * Why a cluster client did not become ready, asked of the seed nodes one by one: no node answers, a node is no
 * cluster node, a node refuses the login, or the cluster does not serve every slot (ioredis waits for
 * cluster_state:ok, which a cluster with uncovered slots never reaches).
 */
async function whyClusterNotReady(config: RedisClusterConfig, seeds: string, connectTimeout: number): Promise<string> {
  for (const node of config.nodes) {
    const where = `${node.host}:${node.port}`;
    const probe = new Redis({
      ...node, username: config.username, password: config.password, tls: config.tls ? {} : undefined,
      lazyConnect: true, connectTimeout, commandTimeout: connectTimeout, maxRetriesPerRequest: 0, retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      const info = String(await probe.cluster('INFO'));
      const assigned = Number(/cluster_slots_assigned:(\d+)/.exec(info)?.[1] ?? 0);
      const state = /cluster_state:(\w+)/.exec(info)?.[1] ?? 'unknown';
      if (assigned < CLUSTER_SLOTS || state !== 'ok') {
        return `Redis Cluster (${seeds}): ${CLUSTER_SLOTS - assigned} of ${CLUSTER_SLOTS} hash slots are served by no node (cluster_state:${state} on ${where}), so keys in them cannot be read or written; assign every slot (redis-cli --cluster check / fix) and start again`;
      }
      return `Redis Cluster (${seeds}): ${where} reports cluster_state:ok, but the client did not become ready within ${connectTimeout} ms (REDIS_CONNECT_TIMEOUT_MS): check that every node's announced address is reachable from here`;
    } catch (err) {
      const message = (err as Error).message;
      if (/cluster support disabled/i.test(message)) return `Redis Cluster: ${where} is not a cluster node (cluster-enabled no); for one Redis, set REDIS_URL instead of REDIS_CLUSTER_NODES`;
      if ((err as Error).name === 'ReplyError') return `Redis Cluster: ${where} refused the connection: ${message.split('\n')[0]}`;
    } finally {
      probe.disconnect();
    }
  }
  return `Redis Cluster: none of the nodes in REDIS_CLUSTER_NODES (${seeds}) answered within ${connectTimeout} ms (REDIS_CONNECT_TIMEOUT_MS)`;
}

/**
 * A new connection for pub/sub (a subscribed connection can run no other command), which calls `onMessage` for
 * messages on `channels`. On one Redis: SUBSCRIBE. On a cluster: SSUBSCRIBE (sharded channels, Redis ≥ 7), served
 * by the node that owns each channel's slot, matching `publishCommand`. After a break (Redis restarted, the
 * connection dropped) it subscribes again once the connection is ready and then calls `onBack` with how long the
 * break lasted: messages published meanwhile reached no one, and the caller may need to catch up.
 */
export async function subscribeTo(
  client: RedisClient,
  name: string | undefined,
  channels: string[],
  onMessage: (channel: string, message: string) => void,
  onBack?: (brokenForMs: number) => void,
): Promise<RedisClient> {
  // Without a name of its own, the connection keeps the client's.
  const sub = isCluster(client)
    ? client.duplicate([], { shardedSubscribers: true, enableAutoPipelining: false, redisOptions: { ...client.options.redisOptions, ...(name ? { connectionName: name } : {}) } })
    : client.duplicate({ ...(name ? { connectionName: name } : {}), enableAutoPipelining: false });
  sub.on(isCluster(sub) ? 'smessage' : 'message', onMessage);
  // Reconnects by itself; a caller waiting meanwhile ends by its own timeout.
  sub.on('error', () => undefined);
  let brokenAt: number | null = null;
  sub.on('close', () => (brokenAt ??= Date.now()));
  sub.on('ready', () => {
    if (brokenAt === null) return;
    const since = brokenAt;
    brokenAt = null;
    // ioredis resubscribes too; this one is awaited, so that `onBack` runs with the subscription in place.
    (isCluster(sub) ? sub.ssubscribe(...channels) : sub.subscribe(...channels)).then(
      () => onBack?.(Date.now() - since),
      () => undefined, // closed meanwhile, or broken again: the next 'ready' tries again
    );
  });
  try {
    if (isCluster(sub)) {
      await sub.connect();
      await sub.ssubscribe(...channels);
    } else {
      await sub.subscribe(...channels);
    }
  } catch (err) {
    sub.disconnect();
    throw err;
  }
  return sub;
}

/** The publish command matching subscribeTo: PUBLISH on one Redis, SPUBLISH (a sharded channel) on a cluster. */
export function publishCommand(client: RedisClient): 'publish' | 'spublish' {
  return isCluster(client) ? 'spublish' : 'publish';
}

/**
 * What in Redis's settings can lose queue data, as warnings for the log: a maxmemory-policy other than noeviction
 * (Redis would evict queue keys under memory pressure) and no persistence (neither AOF nor RDB snapshots: a
 * restart empties the queue, which is then rebuilt from MongoDB). Checks every master of a cluster. Where CONFIG
 * is disabled (managed Redis services), says that the settings could not be checked.
 */
export async function redisSettingWarnings(client: RedisClient): Promise<string[]> {
  const servers = isCluster(client) ? client.nodes('master') : [client];
  const warnings: string[] = [];
  for (const server of servers) {
    const where = isCluster(client) ? ` on ${server.options.host}:${server.options.port}` : '';
    const settings: Record<string, string> = {};
    try {
      // One name per CONFIG GET: Redis 6 takes no more.
      for (const name of ['maxmemory-policy', 'appendonly', 'save']) {
        const [, value] = (await server.call('CONFIG', 'GET', name)) as string[];
        if (value !== undefined) settings[name] = value;
      }
    } catch (err) {
      warnings.push(`could not read Redis settings${where} (CONFIG GET: ${(err as Error).message}): make sure maxmemory-policy is noeviction and AOF or RDB persistence is on`);
      continue;
    }
    const policy = settings['maxmemory-policy'];
    if (policy !== undefined && policy !== 'noeviction') {
      warnings.push(`Redis maxmemory-policy is ${policy}${where}, not noeviction: under memory pressure Redis may evict queue keys (leases, ready jobs); set maxmemory-policy noeviction`);
    }
    if (settings.appendonly === 'no' && !settings.save) {
      warnings.push(`Redis persistence is off${where} (appendonly no, no save points): a restart empties the queue, which is then rebuilt from MongoDB; turn on appendonly yes`);
    }
  }
  return warnings;
}

/** Round trip to Redis, in ms; throws when it does not answer (within the command timeout). */
export async function pingRedis(redis: RedisClient): Promise<number> {
  const started = performance.now();
  await redis.ping();
  return performance.now() - started;
}

/** Closes a client: QUIT when connected, disconnect otherwise. Safe to call twice. */
export async function closeRedis(redis: RedisClient): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
