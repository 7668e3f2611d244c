/**
 * The batching of the JobWriter and of the job log flusher: items queued by key (one per key, merged by the
 * caller's `add`), sent as one batch when `flushAt` weight is pending or `delayMs` has passed, whichever
 * comes first, one batch in flight at a time (the next gathers while one is sent), each batch sent in
 * chunks of at most `chunk` items, one chunk after another. `send` must not throw: it reports its own
 * failures to its callers.
 */
export interface BatcherOptions<T> {
  /** Most items per `send` (FerretDB v1 holds a database connection per document a command matches; it has 100). */
  chunk: number;
  /** How long an item waits for others, in ms; 0: until the end of the current turn of the event loop. */
  delayMs: number;
  /** Pending weight that sends the batch at once. Default `chunk` (items). */
  flushAt?: number;
  /** Weight of an item. Default 1. */
  weigh?: (item: T) => number;
  send: (chunk: T[]) => Promise<void>;
}

export class Batcher<T> {
  private queued = new Map<string, T>();
  private inFlight = new Map<string, T>();
  private weight = 0;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly o: BatcherOptions<T>) {}

  /** Queues (or merges into the queued item of) `key`. */
  add(key: string, update: (queued: T | undefined) => T): void {
    const prev = this.queued.get(key);
    const next = update(prev);
    this.weight += this.weigh(next) - (prev === undefined ? 0 : this.weigh(prev));
    this.queued.set(key, next);
    this.schedule();
  }

  /** The items of `key` not yet sent or being sent, oldest first. */
  pendingOf(key: string): T[] {
    const out: T[] = [];
    const sending = this.inFlight.get(key);
    if (sending !== undefined) out.push(sending);
    const queued = this.queued.get(key);
    if (queued !== undefined) out.push(queued);
    return out;
  }

  /** Sends what is queued and waits for it. */
  async drain(): Promise<void> {
    while (this.flushing || this.queued.size > 0) {
      if (!this.flushing) this.flushNow();
      await this.flushing?.catch(() => undefined);
    }
  }

  private weigh(item: T): number {
    return this.o.weigh ? this.o.weigh(item) : 1;
  }

  private schedule(): void {
    if (this.flushing) return; // the running flush takes the next batch when it ends
    if (this.weight >= (this.o.flushAt ?? this.o.chunk)) {
      this.flushNow();
    } else if (!this.timer) {
      this.timer = this.o.delayMs > 0 ? setTimeout(() => this.flushNow(), this.o.delayMs) : setImmediate(() => this.flushNow());
    }
  }

  private flushNow(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    const batch = this.queued;
    this.queued = new Map();
    this.weight = 0;
    if (batch.size === 0) return;
    this.inFlight = batch;
    this.flushing = this.flush([...batch.values()]).finally(() => {
      this.inFlight = new Map();
      this.flushing = undefined;
      // Without a delay the next batch (gathered meanwhile) goes at once; with one, it waits its delay.
      if (this.queued.size > 0) {
        if (this.o.delayMs > 0) this.schedule();
        else this.flushNow();
      }
    });
  }

  private async flush(batch: T[]): Promise<void> {
    for (let i = 0; i < batch.length; i += this.o.chunk) await this.o.send(batch.slice(i, i + this.o.chunk));
  }
}
