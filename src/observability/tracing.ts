import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { ApolloServerPlugin } from '@apollo/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { GraphQLSchema } from 'graphql';
import type { ObservabilityConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { VERSION } from '../version.js';
import { rootField, rootFields } from './metrics.js';

/**
 * Traces, exported over OTLP/HTTP (JSON) when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is
 * set; off otherwise, and then nothing here costs anything (no provider: every helper runs its function
 * as it is). The exporter honours the usual OTEL_EXPORTER_OTLP_* variables (headers, timeout).
 *
 * Spans are made here, by hand, at the steps that matter, not by the auto-instrumentations: this
 * project is ESM, and the http/graphql/mongodb/ioredis instrumentations hook `require`, which an ESM
 * `import` does not go through unless the process starts with a loader hook. The spans:
 * - `POST /graphql` (SERVER; HTTP semantic conventions), continuing a `traceparent` the caller sent;
 * - `query <field>` / `mutation <field>` (GraphQL conventions: graphql.operation.type / .name), its child;
 * - `EVALSHA <script>` (CLIENT; db.system.name redis, db.stored_procedure.name) for every queue decision;
 * - `bulkWrite jobs` / `insertMany jobs` (CLIENT; db.system.name mongodb) for the job writes.
 * The request that creates a job stores its trace context with the job (Job.traceparent); a lease hands
 * it to the worker, whose job span (src/worker-client) is its child, so the worker's calls join the trace.
 * No tokens, payloads or free text in attributes.
 *
 * Tracing is per process (OpenTelemetry's global provider): the first instance that starts it owns it,
 * the last one to close shuts it down. Export is batched in the background through a bounded queue
 * (OTEL_BSP_MAX_QUEUE_SIZE spans, 2048 by default): when the endpoint is slow or down, spans beyond it are dropped and counted
 * (jobservice_trace_spans_dropped_total), never waited for by a request.
 */

/** Spans dropped: the queue was full, or their export failed. Read by the metrics. */
export const droppedSpans = { queueFull: 0, exportFailed: 0 };

/** Longest wait for queued spans at shutdown. */
const SHUTDOWN_FLUSH_MS = 2_000;

let provider: NodeTracerProvider | undefined;
let users = 0;
const tracer = () => trace.getTracer('job-service', VERSION);

/** Whether traces are being recorded in this process. */
export function tracingOn(): boolean {
  return provider !== undefined;
}

/** Starts tracing for this process if the configuration asks for it; the returned release() ends it with the last user. */
export function startTracing(cfg: ObservabilityConfig, logger: Logger): { release(): Promise<void> } | null {
  if (!cfg.tracing) return null;
  if (!provider) {
    const max = cfg.traceQueueSize;
    const exporter = new CountingExporter(new OTLPTraceExporter());
    const batch = new BatchSpanProcessor(exporter, { maxQueueSize: max, maxExportBatchSize: Math.min(512, max), scheduledDelayMillis: 1000 });
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: cfg.serviceName, [ATTR_SERVICE_VERSION]: VERSION }),
      spanProcessors: [new BoundedProcessor(batch, exporter, max)],
    });
    provider.register(); // W3C trace context propagation, AsyncLocalStorage context
    logger.info('tracing on: spans exported over OTLP/HTTP');
  }
  users++;
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      if (--users > 0 || !provider) return;
      const p = provider;
      provider = undefined;
      // Spans still queued get one short try; an endpoint that does not answer does not hold the shutdown.
      let timer: NodeJS.Timeout | undefined;
      const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS).unref()));
      await Promise.race([p.shutdown().catch((err: unknown) => logger.warn({ err }, 'tracing shutdown failed')), giveUp]);
      clearTimeout(timer);
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** Counts what the batch processor hands over, and what fails to export. */
class CountingExporter implements SpanExporter {
  pending = 0;
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      this.pending -= spans.length;
      if (result.code !== ExportResultCode.SUCCESS) droppedSpans.exportFailed += spans.length;
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Drops (and counts) ended spans while `max` are waiting or being exported. */
class BoundedProcessor implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    private readonly exporter: CountingExporter,
    private readonly max: number,
  ) {}
  onStart(span: Parameters<SpanProcessor['onStart']>[0], parent: Context): void {
    this.inner.onStart(span, parent);
  }
  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.exporter.pending >= this.max) {
      droppedSpans.queueFull++;
      return;
    }
    this.exporter.pending++;
    this.inner.onEnd(span);
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** The W3C traceparent of the current context (to store with a job); null when tracing is off. */
export function currentTraceparent(): string | null {
  if (!provider) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ?? null;
}

/**
 * Wraps the /graphql route handler: a SERVER span per request (continuing the caller's traceparent),
 * active while the request is handled, ended when the response is sent. Off: the handler itself.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function traceRequests<H extends (this: any, request: any, reply: any) => unknown>(handler: H): H {
  return function (this: unknown, request: FastifyRequest, reply: FastifyReply) {
    if (!provider) return handler.call(this, request, reply);
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer().startSpan(
      `${request.method} /graphql`,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': request.method,
          'http.route': '/graphql',
          'url.path': '/graphql',
          'url.scheme': request.protocol,
          'network.protocol.name': 'http',
          'server.port': request.socket.localPort,
          'client.address': request.ip,
        },
      },
      parent,
    );
    reply.raw.once('close', () => {
      const status = reply.statusCode;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    return context.with(trace.setSpan(parent, span), () => handler.call(this, request, reply));
  } as H;
}

/**
 * Apollo plugin: a span per GraphQL operation over HTTP (child of the request's span), named by its type
 * and root field (`mutation jobsCreate`; "(other)" for a field the schema lacks), status ERROR when the
 * response carries errors. The document and variables are not recorded (they may hold payloads).
 */
export function tracingPlugin(schema: GraphQLSchema): ApolloServerPlugin {
  const known = rootFields(schema);
  return {
    async requestDidStart() {
      if (!provider) return;
      let span: Span | undefined;
      return {
        async didResolveOperation({ operation }) {
          if (!operation) return;
          const field = rootField(operation, known);
          span = tracer().startSpan(`${operation.operation} ${field}`, { kind: SpanKind.INTERNAL, attributes: { 'graphql.operation.type': operation.operation, 'graphql.operation.name': field } });
        },
        async willSendResponse({ response }) {
          if (!span) return;
          if (response.body.kind === 'single' && response.body.singleResult.errors?.length) span.setStatus({ code: SpanStatusCode.ERROR });
          span.end();
        },
      };
    },
  };
}

/** Attributes of a MongoDB call's span (database semantic conventions). */
export function mongoSpan(operation: string, collection: string): Attributes {
  return { 'db.system.name': 'mongodb', 'db.operation.name': operation, 'db.collection.name': collection };
}

/** Runs `fn` inside a CLIENT span for a backend call (Redis script, MongoDB write). Off: just `fn()`. */
export function inClientSpan<T>(name: string, attributes: Attributes, fn: () => Promise<T>): Promise<T> {
  if (!provider) return fn();
  return tracer().startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', err instanceof Error ? err.name : 'Error');
      throw err;
    } finally {
      span.end();
    }
  });
}
