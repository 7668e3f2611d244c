import { mongo } from 'mongoose';
import { publishCommand, subscribeTo, type RedisClient } from '../db/redis.js';
import type { Logger } from '../logger.js';

/**
 * Events between instances: every change is published once on one Redis
 * channel, `<prefix>ev` (a sharded channel on a Redis Cluster, in the slot of
 * the prefix's tag), as `<topic>\n<payload>`; each instance subscribes to Redis
 * once (one connection, one channel) and fans events out to its own
 * subscribers in memory. Payloads are Extended JSON, so ObjectIds and Dates
 * survive the trip; each event is parsed once per instance, not once per subscriber.
 */

/** Most events a slow subscriber may have waiting before it is dropped with an error. */
const MAX_BUFFERED = 20_000;
/** Keys of the status changes this instance delivered last (a replay after a broken subscription skips them). */
const DELIVERED_KEYS = 50_000;

type Listener = (payload: unknown) => void;

export class SlowConsumerError extends Error {
  constructor() {
    super(`subscription dropped: more than ${MAX_BUFFERED} events were waiting for it`);
    this.name = 'SlowConsumerError';
  }
}

export class EventBus {
  private readonly listeners = new Map<string, Set<Listener>>();
  private subscriber: RedisClient | undefined;
  private started: Promise<void> | undefined;
  private closed = false;
  private readonly delivered = new Set<string>();
  private resubscribed: ((brokenForMs: number) => Promise<unknown>) | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly logger: Logger,
    /** Counts published and delivered events (src/observability). */
    private readonly observe?: { published(topic: string): void; delivered(topic: string, subscribers: number): void },
    /** Publishes an event whose change waits in the queue's outbox, taking it out in the same step (RedisQueue.announce). */
    private readonly announce?: (entry: string, mode: 'decider' | 'relay', channel: string, message: string) => Promise<boolean>,
  ) {}

  private get channel(): string {
    return `${this.prefix}ev`;
  }

  /** Subscribes this instance to Redis (once). */
  start(): Promise<void> {
    this.started ??= (async () => {
      const sub = await subscribeTo(this.redis, 'job-service-events', [this.channel], (channel, message) => {
        if (channel !== this.channel) return;
        const cut = message.indexOf('\n');
        // `<topic>\n<payload>`, or `<topic> <key>\n<payload>` for a status change (its outbox entry).
        const [topic, key] = message.slice(0, cut).split(' ');
        const listeners = this.listeners.get(topic!);
        if (cut < 0 || !listeners || listeners.size === 0 || !this.firstDelivery(key)) return;
        this.observe?.delivered(topic!, listeners.size);
        let payload: unknown;
        try {
          payload = mongo.BSON.EJSON.parse(message.slice(cut + 1), { relaxed: false });
        } catch (err) {
          this.logger.error({ err, topic }, 'unreadable event');
          return;
        }
        for (const listener of listeners) listener(payload);
      },
      // Events published while the subscription was broken (Redis restarted, the connection dropped) never reach
      // it: once it is back, the status changes of that time are delivered from the outbox (onResubscribed).
      (brokenForMs) => {
        if (this.closed || !this.resubscribed) return;
        this.resubscribed(brokenForMs).catch((err: unknown) => this.logger.error({ err }, 'status changes missed while resubscribing not delivered'));
      });
      this.subscriber = sub;
    })();
    return this.started;
  }

  /** What to run once this instance's subscription is back after a break, told how long it lasted (JobLifecycle.replayRecent). */
  onResubscribed(fn: (brokenForMs: number) => Promise<unknown>): void {
    this.resubscribed = fn;
  }

  /** False when this instance delivered the status change with this key already; remembers it otherwise. */
  private firstDelivery(key: string | undefined): boolean {
    if (!key) return true;
    if (this.delivered.has(key)) return false;
    this.delivered.add(key);
    if (this.delivered.size > DELIVERED_KEYS) this.delivered.delete(this.delivered.values().next().value!);
    return true;
  }

  /** Delivers an event to this instance's subscribers of its topic only (if any), unless its key was delivered already; true if delivered. */
  deliverLocal(topic: string, key: string, payload: unknown): boolean {
    if (this.closed || this.subscriberCount(topic) === 0 || !this.firstDelivery(key)) return false;
    this.emitLocal(topic, payload);
    return true;
  }

  /**
   * Publishes an event to every instance. With `outbox` (a status change the queue holds in its outbox), one
   * script publishes it and removes the entry, so the decider and a relay never both send it; true when this
   * call sent it.
   */
  async publish(topic: string, payload: unknown, outbox?: { entry: string; mode: 'decider' | 'relay' }): Promise<boolean> {
    if (this.closed) return false;
    const message = `${outbox ? `${topic} ${outbox.entry}` : topic}\n${mongo.BSON.EJSON.stringify(payload, { relaxed: false })}`;
    if (outbox && this.announce) {
      const sent = await this.announce(outbox.entry, outbox.mode, this.channel, message);
      if (sent) this.observe?.published(topic);
      return sent;
    }
    this.observe?.published(topic);
    await this.redis[publishCommand(this.redis)](this.channel, message);
    return true;
  }

  /**
   * An async iterator over one topic's events (for a GraphQL subscribe
   * resolver). Events are kept in order; `keep` filters them before they are
   * buffered. Ends when the client unsubscribes (return) or the signal aborts.
   */
  iterate<T>(topic: string, keep: (payload: T) => boolean = () => true, signal?: AbortSignal): AsyncIterableIterator<T> {
    const buffer: T[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    let failure: Error | undefined;
    const listeners = this.listeners.get(topic) ?? new Set<Listener>();
    this.listeners.set(topic, listeners);
    const listener: Listener = (payload) => {
      if (done || !keep(payload as T)) return;
      if (buffer.length >= MAX_BUFFERED) {
        failure = new SlowConsumerError();
        finish();
        return;
      }
      buffer.push(payload as T);
      wake?.();
    };
    const finish = () => {
      if (done) return;
      done = true;
      listeners.delete(listener);
      signal?.removeEventListener('abort', finish);
      wake?.();
    };
    listeners.add(listener);
    signal?.addEventListener('abort', finish, { once: true });

    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      async next(): Promise<IteratorResult<T>> {
        for (;;) {
          if (buffer.length > 0) return { value: buffer.shift()!, done: false };
          if (failure) {
            const err = failure;
            failure = undefined;
            throw err;
          }
          if (done) return { value: undefined, done: true };
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
      },
      async return(): Promise<IteratorResult<T>> {
        finish();
        buffer.length = 0;
        return { value: undefined, done: true };
      },
    };
  }

  /** Calls `fn` with every event of a topic (from any instance) until the returned function is called. */
  listen(topic: string, fn: (payload: unknown) => void): () => void {
    const listeners = this.listeners.get(topic) ?? new Set<Listener>();
    this.listeners.set(topic, listeners);
    listeners.add(fn);
    return () => listeners.delete(fn);
  }

  /** Hands an event to this instance's own subscribers of a topic only (nothing goes through Redis). */
  emitLocal(topic: string, payload: unknown): void {
    for (const listener of this.listeners.get(topic) ?? []) listener(payload);
  }

  /** Local subscribers of a topic (tests and metrics). */
  subscriberCount(topic: string): number {
    return this.listeners.get(topic)?.size ?? 0;
  }

  /** Unsubscribes from Redis and ends every local iterator. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const set of this.listeners.values()) set.clear();
    const sub = this.subscriber;
    if (sub) {
      try {
        await sub.quit();
      } catch {
        sub.disconnect();
      }
    }
  }
}
