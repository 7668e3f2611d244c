import { Redis } from 'ioredis';

/** A connected ioredis client; fails fast instead of queueing commands forever while Redis is down. */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectionName: name,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
  });
  await redis.connect();
  return redis;
}

/** Round trip to Redis, in ms; throws when it does not answer. */
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
