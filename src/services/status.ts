import type { Connection } from 'mongoose';
import type { RedisClient as Redis } from '../db/redis.js';
import { pingMongo } from '../db/mongo.js';
import { pingRedis } from '../db/redis.js';
import { VERSION } from '../version.js';

export interface BackendHealth {
  name: 'mongodb' | 'redis';
  up: boolean;
  embedded: boolean;
  latencyMs: number | null;
}

/** Liveness of this instance and its backends (readiness probe and `serviceStatus`). */
export class StatusService {
  private readonly startedAt = Date.now();

  constructor(
    private readonly mongo: Connection,
    private readonly redis: Redis,
    private readonly environment: string,
    private readonly embedded: { mongodb: boolean; redis: boolean },
  ) {}

  async backends(): Promise<BackendHealth[]> {
    const probe = async (name: BackendHealth['name'], ping: () => Promise<number>): Promise<BackendHealth> => {
      try {
        const latencyMs = await withTimeout(ping(), 2_000);
        return { name, up: true, embedded: this.embedded[name], latencyMs };
      } catch {
        return { name, up: false, embedded: this.embedded[name], latencyMs: null };
      }
    };
    return Promise.all([probe('mongodb', () => pingMongo(this.mongo)), probe('redis', () => pingRedis(this.redis))]);
  }

  async status() {
    return {
      version: VERSION,
      uptimeSeconds: (Date.now() - this.startedAt) / 1000,
      environment: this.environment,
      backends: await this.backends(),
    };
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    }),
  ]);
}
