import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { JobWorker } from '../src/worker-client/index.js';
import { backends, onFileEnd } from './harness/backends.js';
import { createJobs, gql, uniqueName } from './harness/app.js';
import { makeKey, signToken, startJwksServer, type TestKey } from './harness/jwks.js';
import { startServiceProcess, type ServiceProcess } from './harness/serviceProcess.js';
import { until } from './harness/until.js';

/**
 * Traces end to end: the built service runs as its own process exporting OTLP/HTTP (JSON) to a real
 * receiver started here (an HTTP server that decodes what the exporters send); the worker client runs
 * in this process with the OpenTelemetry SDK registered, exporting to the same receiver. One job's
 * spans, from jobsCreate to jobComplete, must form one trace across both processes.
 */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: Record<string, unknown> }>;
  service: string;
}

let key: TestKey;
let jwksUrl: string;
const spans: OtlpSpan[] = [];
const bodies: string[] = [];
let receiverUrl: string;

/** A real OTLP/HTTP receiver: POST /v1/traces with the JSON encoding of ExportTraceServiceRequest. */
async function startReceiver(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        res.writeHead(415).end();
        return;
      }
      bodies.push(body);
      const parsed = JSON.parse(body) as {
        resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }; scopeSpans: Array<{ spans: Omit<OtlpSpan, 'service'>[] }> }>;
      };
      for (const rs of parsed.resourceSpans) {
        const service = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onFileEnd(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return server;
}

let provider: NodeTracerProvider;

beforeAll(async () => {
  key = await makeKey('tracing-key', 'ES256');
  const jwks = await startJwksServer([key]);
  onFileEnd(() => jwks.close());
  jwksUrl = jwks.url;
  const receiver = await startReceiver();
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  // The worker's side: this process registers the SDK, as a worker application would.
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'test-worker' }),
    spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiverUrl}/v1/traces` }))],
  });
  provider.register();
  onFileEnd(() => provider.shutdown());
});

const attr = (s: OtlpSpan, k: string): unknown => {
  const v = s.attributes?.find((a) => a.key === k)?.value;
  return v ? Object.values(v)[0] : undefined;
};

async function service(env: Record<string, string> = {}): Promise<ServiceProcess> {
  const { mongoUri, redisUrl } = await backends();
  return startServiceProcess({ name: uniqueName(import.meta.url), mongoUri, redisUrl, jwksUrl, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl, OTEL_SERVICE_NAME: 'job-service-under-test', ...env } });
}

test("one job's spans form one trace from jobsCreate through the worker to jobComplete, across both processes", async () => {
  const svc = await service();
  const submitter = await signToken(key, { roles: ['SUBMITTER'], sub: 'sue' });
  const workerToken = await signToken(key, { roles: ['WORKER'], sub: 'bot' });
  const payload = { secretish: 'PAYLOAD-MARKER-7731' };
  const [id] = await createJobs(svc.url, submitter, [{ target: 'TRACE_ONE', operation: 'DELETE_ARCHIVE', payload }]);

  const seenTraceparents: Array<string | null> = [];
  const worker = new JobWorker({
    url: svc.url,
    token: workerToken,
    workerId: 'trace-worker',
    operations: ['DELETE_ARCHIVE'],
    waitSeconds: 1,
    handler: async (_job, ctx) => {
      seenTraceparents.push(ctx.lease.traceparent);
      await ctx.reportProgress({ status: 'VALIDATING', progress: 0.5 });
    },
  });
  void worker.start();
  try {
    await until('the job completed', async () => {
      const r = await gql<{ job: { status: string } }>(svc.url, 'query($id: ID!) { job(id: $id) { status } }', { id }, submitter);
      return r.body.data?.job.status === 'COMPLETED';
    }, 30_000);
  } finally {
    await worker.stop({ timeoutMs: 5_000 });
  }
  await provider.forceFlush();

  // The lease brought the creating request's trace context.
  expect(seenTraceparents).toHaveLength(1);
  const [, traceId, createSpanId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(seenTraceparents[0]!)!;
  const byName = (name: string, service: string) => spans.filter((s) => s.name === name && s.service === service && s.traceId === traceId);

  // Wait for the service's batch export (it exports every second).
  await until('the service exported the jobComplete spans', () => byName('mutation jobComplete', 'job-service-under-test').length === 1, 20_000);
  const trace = spans.filter((s) => s.traceId === traceId);
  const byId = new Map(trace.map((s) => [s.spanId, s]));

  // jobsCreate: the HTTP server span (root: the test sent no traceparent), its GraphQL span and the insert.
  const createServer_ = byId.get(createSpanId!)!;
  expect(createServer_).toMatchObject({ name: 'POST /graphql', kind: 2, service: 'job-service-under-test' });
  expect(createServer_.parentSpanId ?? '').toBe('');
  expect(attr(createServer_, 'http.request.method')).toBe('POST');
  expect(attr(createServer_, 'http.response.status_code')).toBe(200);
  const createOp = byName('mutation jobsCreate', 'job-service-under-test');
  expect(createOp.map((s) => s.parentSpanId)).toEqual([createSpanId]);
  expect(attr(createOp[0]!, 'graphql.operation.type')).toBe('mutation');
  const insert = byName('insertMany jobs', 'job-service-under-test');
  expect(insert.map((s) => s.parentSpanId)).toEqual([createSpanId]);
  expect(attr(insert[0]!, 'db.system.name')).toBe('mongodb');

  // The worker's job span: a child of the creating request, in the worker's process.
  const process_ = byName('process DELETE_ARCHIVE', 'test-worker');
  expect(process_).toHaveLength(1);
  expect(process_[0]).toMatchObject({ parentSpanId: createSpanId, kind: 5 }); // CONSUMER
  expect(attr(process_[0]!, 'messaging.message.id')).toBe(id);
  const jobSpanId = process_[0]!.spanId;

  // The worker's calls about the job are children of its span: progress and complete, each with its Redis script.
  const calls = trace.filter((s) => s.name === 'POST /graphql' && s.parentSpanId === jobSpanId);
  const ops = calls.map((c) => trace.find((s) => s.parentSpanId === c.spanId && s.name.startsWith('mutation '))?.name).sort();
  expect(ops).toEqual(['mutation jobComplete', 'mutation jobReportProgress']);
  const completeCall = calls.find((c) => trace.some((s) => s.parentSpanId === c.spanId && s.name === 'mutation jobComplete'))!;
  const finish = trace.filter((s) => s.parentSpanId === completeCall.spanId && s.name === 'EVALSHA finish');
  expect(finish).toHaveLength(1);
  expect(attr(finish[0]!, 'db.system.name')).toBe('redis');
  expect(attr(finish[0]!, 'db.stored_procedure.name')).toBe('finish');

  // No token and no payload anywhere in what was exported.
  const exported = bodies.join('\n');
  expect(exported).not.toContain('PAYLOAD-MARKER-7731');
  expect(exported).not.toContain(workerToken.split('.')[2]!);
  expect(exported).not.toContain(submitter.split('.')[2]!);
});

test('an endpoint that never answers neither slows nor fails requests: spans beyond the bounded queue are dropped and counted', async () => {
  // A receiver that accepts connections and never answers.
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  onFileEnd(async () => {
    silent.closeAllConnections();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });
  const metricsToken = 'metrics-token-0123456789abcdef';
  const exportTimeoutMs = 60_000;
  const svc = await service({
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
    OTEL_EXPORTER_OTLP_TIMEOUT: String(exportTimeoutMs),
    OTEL_BSP_MAX_QUEUE_SIZE: '8',
    METRICS_TOKEN: metricsToken,
  });
  const viewer = await signToken(key, { roles: ['VIEWER'], sub: 'vic' });
  const started = Date.now();
  for (let i = 0; i < 30; i++) {
    const res = await gql<{ viewer: { id: string } }>(svc.url, '{ viewer { id } }', undefined, viewer);
    expect(res.body.data!.viewer.id).toBe('vic');
  }
  // Had a request waited for an export, it would have waited for the exporter's time-out.
  expect(Date.now() - started).toBeLessThan(exportTimeoutMs);
  const dropped = async () => {
    const text = await (await fetch(`${svc.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } })).text();
    return Number(/^jobservice_trace_spans_dropped_total\{reason="queue_full"\} (\d+)$/m.exec(text)?.[1] ?? 0);
  };
  // 30 requests make 60 spans; at most 8 wait for the (stuck) export.
  await until('spans dropped from the full queue are counted', async () => (await dropped()) >= 60 - 8, 10_000);
});
