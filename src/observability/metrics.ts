import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { GraphQLSchema, OperationDefinitionNode } from 'graphql';
import { OPERATIONS } from '../queue/keys.js';
import type { JobEventView } from '../services/events.js';
import { unavailableBackend, type UnavailableBackend } from '../db/unavailable.js';
import { jobFacts } from './jobEvents.js';
import { droppedSpans } from './tracing.js';

/**
 * Prometheus metrics of one service instance (prom-client; one Registry per instance, so several
 * instances in one process, as in tests, keep apart). Names follow Prometheus conventions (base units,
 * `_total`, `_seconds`); every label value comes from a fixed set (operations, outcomes, the schema's
 * root fields), never from ids or free text. See docs/observability.md for the list.
 *
 * Counters count what this instance did: sum them over instances. Gauges read from Redis and MongoDB
 * (queue depth, switches, workers alive) show the shared state, the same on every instance: take max.
 */
export interface QueueSnapshot {
  ready: number;
  readyByOperation: Record<string, number>;
  delayed: number;
  leased: number;
  paused: boolean;
  maintenance: boolean;
  workersAlive: number;
}

/** How long a read of the shared state serves scrapes. */
const SNAPSHOT_TTL_MS = 1_000;
const OTHER = '(other)';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

export class Metrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private snapshot: { at: number; value: Promise<QueueSnapshot | null> } | undefined;
  private snapshotSource: (() => Promise<QueueSnapshot>) | undefined;

  private readonly c = (name: string, help: string, labelNames: string[] = []) => new Counter({ name: `jobservice_${name}`, help, labelNames, registers: [this.registry] });

  readonly jobsCreated = this.c('jobs_created_total', 'Jobs created (jobsCreate items accepted, jobRetry copies).', ['operation']);
  readonly jobsStarted = this.c('jobs_started_total', 'Jobs claimed by a worker (each attempt).', ['operation']);
  readonly jobsCompleted = this.c('jobs_completed_total', 'Jobs that ended COMPLETED.', ['operation']);
  readonly jobsFailed = this.c('jobs_failed_total', 'Jobs that ended FAILED.', ['operation']);
  readonly jobsCancelled = this.c('jobs_cancelled_total', 'Jobs that ended CANCELLED.', ['operation']);
  readonly jobsRetried = this.c('jobs_retried_total', 'Retries: automatic (a retryable failure or an expired lease put the job back in the queue) or manual (jobRetry).', ['operation', 'kind']);
  readonly leaseExpiries = this.c('lease_expiries_total', 'Leases that ran out and were reaped by this instance.');
  readonly leaseLost = this.c('lease_lost_total', 'LEASE_LOST answers to workers (a call with a lease that is no longer theirs).');
  readonly eventsPublished = this.c('events_published_total', 'Events this instance published on the bus.', ['topic']);
  readonly eventsDelivered = this.c('events_delivered_total', 'Events handed to this instance\'s local subscribers (one per subscriber).', ['topic']);
  readonly backendErrors = this.c('backend_errors_total', 'MongoDB and Redis calls that failed: timeout (no answer in time) or error (unreachable, refused).', ['backend', 'kind']);

  readonly jobWait = new Histogram({
    name: 'jobservice_job_wait_seconds',
    help: 'Time from a job becoming due (created, or its run-at / retry time) to its claim.',
    labelNames: ['operation'],
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });
  readonly jobRun = new Histogram({
    name: 'jobservice_job_run_seconds',
    help: 'Time an attempt ran, from its claim to its end (completed, failed, cancelled) or its return to the queue (retried).',
    labelNames: ['operation', 'outcome'],
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });
  readonly graphqlDuration = new Histogram({
    name: 'jobservice_graphql_request_duration_seconds',
    help: 'GraphQL requests over HTTP by root field and outcome (ok, error: an error in the response, invalid: refused before execution); _count is the request count.',
    labelNames: ['operation', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    const snapshotGauge = (name: string, help: string, labelNames: string[], read: (s: QueueSnapshot, g: Gauge) => void) =>
      new Gauge({
        name: `jobservice_${name}`,
        help,
        labelNames,
        registers: [this.registry],
        // Runs at each scrape with the gauge as `this`.
        async collect(this: Gauge) {
          const s = await metrics.readSnapshot();
          this.reset();
          if (s) read(s, this);
        },
      });
    new Counter({
      name: 'jobservice_trace_spans_dropped_total',
      help: 'Spans not exported (whole process): the export queue was full, or the export failed.',
      labelNames: ['reason'],
      registers: [this.registry],
      collect(this: Counter) {
        this.reset();
        this.inc({ reason: 'queue_full' }, droppedSpans.queueFull);
        this.inc({ reason: 'export_failed' }, droppedSpans.exportFailed);
      },
    });
    snapshotGauge('jobs_waiting', 'Jobs ready to be claimed now, by operation (shared state: the same on every instance).', ['operation'], (s, g) => {
      for (const op of OPERATIONS) g.set({ operation: op }, s.readyByOperation[op] ?? 0);
    });
    snapshotGauge('jobs_delayed', 'Jobs waiting for their run-at time or a retry backoff (shared state).', [], (s, g) => g.set(s.delayed));
    snapshotGauge('jobs_running', 'Jobs under a lease (shared state).', [], (s, g) => g.set(s.leased));
    snapshotGauge('queue_paused', '1 while the queue is paused (shared state).', [], (s, g) => g.set(s.paused ? 1 : 0));
    snapshotGauge('maintenance_on', '1 while maintenance mode is on (shared state).', [], (s, g) => g.set(s.maintenance ? 1 : 0));
    snapshotGauge('workers_alive', 'Workers whose last heartbeat is within CLIENT_EXPIRY_SECONDS (shared state).', [], (s, g) => g.set(s.workersAlive));
  }

  /** The reader of the shared state (queue counts, switches, workers alive); read at most once a second. */
  setSnapshotSource(read: () => Promise<QueueSnapshot>): void {
    this.snapshotSource = read;
  }

  private readSnapshot(): Promise<QueueSnapshot | null> {
    const source = this.snapshotSource;
    if (!source) return Promise.resolve(null);
    const now = Date.now();
    if (!this.snapshot || now - this.snapshot.at >= SNAPSHOT_TTL_MS) {
      this.snapshot = {
        at: now,
        value: source().catch((err: unknown) => {
          this.backendError(err);
          return null; // a scrape still answers; the gauges are left out this time
        }),
      };
    }
    return this.snapshot.value;
  }

  /** Counts published job events (called by EventService.publishJobs, the one step every job change goes through). */
  jobEvents(events: readonly JobEventView[]): void {
    for (const e of events) {
      const f = jobFacts(e);
      if (!f) continue;
      const operation = f.operation;
      if (f.created) this.jobsCreated.inc({ operation });
      if (f.started) {
        this.jobsStarted.inc({ operation });
        if (f.waitSeconds !== null) this.jobWait.observe({ operation }, f.waitSeconds);
      }
      if (f.retried) this.jobsRetried.inc({ operation, kind: f.retried });
      if (f.ended === 'completed') this.jobsCompleted.inc({ operation });
      else if (f.ended === 'failed') this.jobsFailed.inc({ operation });
      else if (f.ended === 'cancelled') this.jobsCancelled.inc({ operation });
      if (f.runSeconds !== null) this.jobRun.observe({ operation, outcome: f.ended ?? 'retried' }, f.runSeconds);
    }
  }

  /** Counts a MongoDB or Redis failure, if `err` is one (see src/db/unavailable.ts); returns its backend. */
  backendError(err: unknown): UnavailableBackend | null {
    const backend = unavailableBackend(err);
    if (backend) this.backendErrors.inc({ backend, kind: isTimeout(err) ? 'timeout' : 'error' });
    return backend;
  }

  /**
   * Apollo plugin: request duration by root field and outcome. The label is the first root field's
   * name when the schema has it (a bounded set), else "(other)"; a request refused before execution
   * (unparsable, invalid, over a limit) is "(other)" / invalid.
   */
  apolloPlugin(schema: GraphQLSchema): ApolloServerPlugin {
    const known = rootFields(schema);
    const histogram = this.graphqlDuration;
    const metrics = this;
    return {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        let operation = OTHER;
        let executed = false;
        return {
          async didResolveOperation({ operation: op }) {
            if (op) operation = rootField(op, known);
          },
          async executionDidStart() {
            executed = true;
          },
          async didEncounterErrors({ errors }) {
            for (const err of errors) metrics.backendError(err);
          },
          async willSendResponse({ response }) {
            const body = response.body;
            const failed = body.kind === 'single' ? Boolean(body.singleResult.errors?.length) : false;
            const outcome = !executed ? 'invalid' : failed ? 'error' : 'ok';
            histogram.observe({ operation, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
          },
        };
      },
    };
  }

  /** The exposition: the text format Prometheus scrapes. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

/** The operation's first root field when the schema has it, else "(other)": a bounded label. */
export function rootField(op: OperationDefinitionNode, known: ReadonlySet<string>): string {
  for (const sel of op.selectionSet.selections) {
    if (sel.kind === 'Field' && sel.name.value !== '__typename') return known.has(sel.name.value) ? sel.name.value : OTHER;
  }
  return OTHER;
}

/** The schema's root field names: the bounded set of operation labels. */
export function rootFields(schema: GraphQLSchema): ReadonlySet<string> {
  const known = new Set<string>();
  for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const name of Object.keys(type?.getFields() ?? {})) known.add(name);
  }
  return known;
}

function isTimeout(err: unknown): boolean {
  for (let cur: unknown = err, depth = 0; depth < 8 && cur instanceof Error; depth++) {
    if (/time(d)? ?out|MaxTimeMSExpired/i.test(cur.message) || /Timeout/i.test(cur.name)) return true;
    cur = (cur as { originalError?: unknown }).originalError ?? cur.cause;
  }
  return false;
}

/** Also reports a gauge computed at scrape time from this instance (open sockets, subscriptions). */
export function localGauge(metrics: Metrics, name: string, help: string, read: () => number): void {
  new Gauge({
    name: `jobservice_${name}`,
    help,
    registers: [metrics.registry],
    collect(this: Gauge) {
      this.set(read());
    },
  });
}
