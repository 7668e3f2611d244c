import { subscribeTo, type RedisClient } from '../db/redis.js';
import type { WaitOutcome } from './types.js';

/** What a waiter learns from Redis right after it subscribed. */
export interface WorkHint {
  /** Something is claimable already (or became so between the caller's claim and now). */
  now: boolean;
  /** A delayed job falls due in this many ms: wake then, since nobody publishes for it. */
  dueInMs?: number;
}

interface Waiter {
  operations: ReadonlySet<string>;
  settle(outcome: WaitOutcome): void;
  /** A job of one of its operations falls due at this time (queue clock, ms): wake then unless woken earlier. */
  dueAt(atMs: number): void;
}

/**
 * Long-poll support: one subscriber connection per queue instance (duplicated
 * lazily from the command client, since a subscribed connection can run no
 * other command) serving every waiter of that instance.
 */
export class WakeListener {
  private subscriber: RedisClient | undefined;
  private subscribed: Promise<void> | undefined;
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly channel: string,
    /** The queue's clock (due times in messages and hints are on it). */
    private readonly clock: () => number = Date.now,
  ) {}

  /** Long polls waiting now (tests watch it to know a claim reached its wait). */
  get waiting(): number {
    return this.waiters.size;
  }

  private ensureSubscribed(): Promise<void> {
    if (!this.subscribed) {
      this.subscribed = subscribeTo(
        this.redis,
        undefined,
        [this.channel],
        (channel, message) => {
          if (channel === this.channel) this.notify(message);
        },
        // Wake messages sent while the subscription was broken (Redis restarted) reached no one: every waiter claims again.
        () => this.notify('*'),
      ).then(
        (sub) => {
          // close() may have run while subscribing.
          if (this.closed) sub.disconnect();
          else this.subscriber = sub;
        },
        (err: unknown) => {
          this.subscribed = undefined;
          throw err;
        },
      );
    }
    return this.subscribed;
  }

  /** '*' and '<op>' wake at once; '<op>@<ms>' (a job delayed until then) wakes its operation's waiters when it falls due. */
  private notify(message: string): void {
    const at = message.indexOf('@');
    const op = at < 0 ? message : message.slice(0, at);
    const due = at < 0 ? undefined : Number(message.slice(at + 1));
    for (const waiter of [...this.waiters]) {
      if (message !== '*' && !waiter.operations.has(op)) continue;
      if (due === undefined || !Number.isFinite(due)) waiter.settle('WORK');
      else waiter.dueAt(due);
    }
  }

  /**
   * Resolves with WORK on a wake message for one of `operations` (or '*'), when
   * `hint` finds work or a due time, with TIMEOUT after timeoutMs, ABORTED on
   * the signal, CLOSED on close(). The waiter is registered before `hint` runs,
   * so a job enqueued in between is not missed.
   */
  async wait(operations: readonly string[], timeoutMs: number, signal: AbortSignal | undefined, hint: () => Promise<WorkHint>): Promise<WaitOutcome> {
    if (this.closed) return 'CLOSED';
    if (signal?.aborted) return 'ABORTED';
    try {
      await this.ensureSubscribed();
    } catch (err) {
      if (this.closed) return 'CLOSED';
      throw err;
    }
    if (this.closed) return 'CLOSED';
    // Aborted while subscribing: an abort listener added now would never fire.
    if (signal?.aborted) return 'ABORTED';
    return new Promise<WaitOutcome>((resolve) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      // When the timer fires (queue clock): the timeout, or an earlier due time.
      let timerAt = this.clock() + Math.max(0, timeoutMs);
      const onAbort = (): void => waiter.settle('ABORTED');
      const waiter: Waiter = {
        operations: new Set(operations),
        settle: (outcome) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          this.waiters.delete(waiter);
          resolve(outcome);
        },
        dueAt: (atMs) => {
          if (done || atMs >= timerAt) return;
          clearTimeout(timer);
          timerAt = atMs;
          timer = setTimeout(() => waiter.settle('WORK'), Math.max(0, atMs - this.clock()));
        },
      };
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => waiter.settle('TIMEOUT'), Math.max(0, timeoutMs));
      hint().then(
        (h) => {
          if (done) return;
          if (h.now) return waiter.settle('WORK');
          if (h.dueInMs !== undefined) waiter.dueAt(this.clock() + h.dueInMs);
        },
        // Without a hint the wait still ends by message or timeout.
        () => undefined,
      );
    });
  }

  /** Ends every wait with CLOSED and closes the subscriber connection. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of [...this.waiters]) waiter.settle('CLOSED');
    const sub = this.subscriber;
    this.subscriber = undefined;
    this.subscribed = undefined;
    if (!sub || sub.status === 'end') return;
    try {
      await sub.quit();
    } catch {
      sub.disconnect();
    }
  }
}
