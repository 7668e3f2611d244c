import { Redis, type Command } from 'ioredis';
import { BACKEND_TIMEOUT_DEFAULTS } from '../config.js';

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

const stats = new WeakMap<Redis, RedisStats>();

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
export function redisStats(redis: Redis): RedisStats {
  const counter = stats.get(redis);
  if (!counter) throw new Error('this client does not count its round trips: connect it with { countRoundTrips: true } (startApp: { instrument: true })');
  return { ...counter };
}

/** Round trip to Redis, in ms; throws when it does not answer (within the command timeout). */
export async function pingRedis(redis: Redis): Promise<number> {
  const started = performance.now();
  await redis.ping();
  return performance.now() - started;
}

/** Closes a client: QUIT when connected, disconnect otherwise. Safe to call twice. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
