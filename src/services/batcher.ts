/**
 * The batching of the JobWriter and of the job log mover: items queued by key (one per key, merged by the
 * caller's `add`), sent as one batch when `chunk` items are pending or `delayMs` has passed, whichever
 * comes first, one batch in flight at a time (the next gathers while one is sent), each batch sent in
 * chunks of at most `chunk` items, one chunk after another. `send` must not throw: it reports its own
 * failures to its callers.
 */
export interface BatcherOptions<T> {
  /** Most items per `send` (FerretDB v1 holds a database connection per document a command matches; it has 100). */
  chunk: number;
  /** How long an item waits for others, in ms; 0: until the end of the current turn of the event loop. */
  delayMs: number;
  send: (chunk: T[]) => Promise<void>;
}

export class Batcher<T> {
  private queued = new Map<string, T>();
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private flushing: Promise<void> | undefined;

  constructor(private readonly o: BatcherOptions<T>) {}

  /** Queues (or merges into the queued item of) `key`. */
  add(key: string, update: (queued: T | undefined) => T): void {
    this.queued.set(key, update(this.queued.get(key)));
    this.schedule();
  }

  /** Sends what is queued and waits for it. */
  async drain(): Promise<void> {
    while (this.flushing || this.queued.size > 0) {
      if (!this.flushing) this.flushNow();
      await this.flushing?.catch(() => undefined);
    }
  }

  private schedule(): void {
    if (this.flushing) return; // the running flush takes the next batch when it ends
    if (this.queued.size >= this.o.chunk) {
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
    if (batch.size === 0) return;
    this.flushing = this.flush([...batch.values()]).finally(() => {
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

/**
 * Runs commands one at a time, in the order asked: FerretDB v1 keeps a database connection per update of
 * a command until the command ends (it has 100), so commands sent together add up and can deadlock it.
 * The JobWriter's commands, the inserts of new jobs (JobWriter.inTurn) and the job log mover's share one
 * lane (JobLogStore.lane).
 */
export class CommandLane {
  private tail: Promise<unknown> = Promise.resolve();
  private inLane = 0;

  /** Commands running or waiting their turn (tests watch it to order a command after another). */
  get queued(): number {
    return this.inLane;
  }

  run<T>(command: () => Promise<T>): Promise<T> {
    this.inLane++;
    const result = this.tail.then(command, command).finally(() => this.inLane--);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
