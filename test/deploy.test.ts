import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ConfigError, loadConfig } from '../src/config.js';
import { startTestApp } from './harness/app.js';
import { startJwksServer } from './harness/jwks.js';
import { onFileEnd } from './harness/backends.js';

/**
 * deploy/: what can be checked without Docker or Kubernetes (neither runs here). The files parse; the
 * environment they give the service passes the production configuration check of src/config.ts; probes point
 * at /healthz and /readyz, which the service answers; every image is pinned; the container command is the
 * README's start command; the Service and the PodDisruptionBudget select the Deployment's pods.
 */
const DEPLOY = path.resolve('deploy');
const read = (file: string) => readFileSync(path.join(DEPLOY, file), 'utf8');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function yamlDocs(file: string): Obj[] {
  return parseAllDocuments(read(file), { merge: true }).map((doc) => {
    expect({ file, errors: doc.errors.map((e) => e.message) }).toEqual({ file, errors: [] });
    return doc.toJS() as Obj;
  });
}

const k8sFiles = readdirSync(path.join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml'));
const k8s = k8sFiles.flatMap((f) => yamlDocs(path.join('k8s', f)));
const compose = yamlDocs('docker-compose.yml')[0]!;
const byKind = (kind: string) => {
  const found = k8s.filter((d) => d.kind === kind);
  expect(found).toHaveLength(1);
  return found[0]!;
};

/** The Dockerfile as instructions (continuations joined, comments dropped), with its stages. */
function dockerfile(): Array<{ op: string; args: string }> {
  const lines = read('Dockerfile').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  return lines.map((l) => {
    const [op, ...rest] = l.split(/\s+/);
    return { op: op!.toUpperCase(), args: rest.join(' ') };
  });
}

/** The README's production start command (Production notes: "Start command: `…`"). */
function readmeStartCommand(): string[] {
  const m = /Start command: `([^`]+)`/.exec(readFileSync('README.md', 'utf8'));
  expect(m).not.toBeNull();
  return m![1]!.split(/\s+/);
}

/** What production requires, from src/config.ts itself: each entry lists the variables of which one must be set. */
function requiredInProduction(): string[][] {
  let problems: string[] = [];
  try {
    loadConfig({ NODE_ENV: 'production' });
  } catch (err) {
    problems = (err as ConfigError).problems;
  }
  const required = problems.map((p) => {
    const m = /^([A-Z_]+)(?: \(or ([A-Z_]+)\))? is required when NODE_ENV=production$/.exec(p);
    if (!m) throw new Error(`unexpected production problem: ${p}`);
    return [m[1]!, ...(m[2] ? [m[2]] : [])];
  });
  expect(required.length).toBeGreaterThanOrEqual(5);
  return required;
}

function expectProductionConfig(where: string, env: Record<string, string>): void {
  for (const group of requiredInProduction()) expect({ where, group, set: group.some((v) => Boolean(env[v])) }).toEqual({ where, group, set: true });
  let error: unknown;
  try {
    expect(loadConfig(env).env).toBe('production');
  } catch (err) {
    error = err;
  }
  expect({ where, problems: error instanceof ConfigError ? error.problems : error === undefined ? [] : [String(error)] }).toEqual({ where, problems: [] });
}

/** ENV of the Dockerfile's last stage. */
function imageEnv(): Record<string, string> {
  const ops = dockerfile();
  const lastFrom = ops.map((o) => o.op).lastIndexOf('FROM');
  const env: Record<string, string> = {};
  for (const o of ops.slice(lastFrom)) {
    if (o.op !== 'ENV') continue;
    for (const m of o.args.matchAll(/([A-Z_]+)=(\S+)/g)) env[m[1]!] = m[2]!;
  }
  return env;
}

test('every file parses; the example .env defines every variable docker-compose.yml uses', () => {
  expect(k8s.map((d) => d.kind).sort()).toEqual(['Deployment', 'PersistentVolumeClaim', 'PodDisruptionBudget', 'Secret', 'Service']);
  expect(Object.keys(compose.services).sort()).toEqual(['api1', 'api2', 'mongo-init', 'mongo1', 'mongo2', 'mongo3', 'prometheus', 'redis', 'worker']);
  const example = Object.fromEntries(read('.env.example').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2)));
  const used = new Set([...read('docker-compose.yml').matchAll(/(?<!\$)\$\{([A-Z_]+)/g)].map((m) => m[1]!));
  expect(used.size).toBeGreaterThan(3);
  for (const name of used) expect({ name, inExample: name in example }).toEqual({ name, inExample: true });
});

test('Kubernetes: the Secret, the Deployment and the image give the service a valid production configuration', () => {
  const secret = byKind('Secret');
  const container = byKind('Deployment').spec.template.spec.containers[0];
  expect(container.envFrom).toEqual([{ secretRef: { name: secret.metadata.name } }]);
  const env = { ...imageEnv(), ...secret.stringData, ...Object.fromEntries(container.env.map((e: Obj) => [e.name, String(e.value)])) };
  expect(env.NODE_ENV).toBe('production');
  expectProductionConfig('k8s', env);
});

test('docker compose: both service instances get a valid production configuration from deploy/.env', () => {
  const example = Object.fromEntries(read('.env.example').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split(/=(.*)/s).slice(0, 2)));
  // Compose's interpolation: ${NAME}, ${NAME:?message}, ${NAME:-default}; $$ is a literal $.
  const interpolate = (v: string) => v.replace(/(?<!\$)\$\{([A-Z_]+)(?::[?-][^}]*)?\}/g, (_, name: string) => example[name] ?? '').replace(/\$\$/g, '$');
  for (const name of ['api1', 'api2']) {
    const svc = compose.services[name];
    expect(svc.build).toEqual({ context: '..', dockerfile: 'deploy/Dockerfile' });
    const env = { ...imageEnv(), ...Object.fromEntries(Object.entries(svc.environment as Record<string, string>).map(([k, v]) => [k, interpolate(String(v))])) };
    expectProductionConfig(`compose ${name}`, env);
  }
  const redis = compose.services.redis.command.join(' ');
  expect(redis).toMatch(/--appendonly yes/);
  expect(redis).toMatch(/--maxmemory-policy noeviction/);
  const mongo = compose.services.mongo1;
  expect(mongo.command).toEqual(expect.arrayContaining(['--replSet', 'rs0', '--keyFile']));
  expect([compose.services.mongo2.command, compose.services.mongo3.command]).toEqual([mongo.command, mongo.command]);
  expect(compose.secrets.mongo_keyfile.file).toBe('./mongo-keyfile');
});

test('Prometheus scrapes every service instance on its metrics port; the Kubernetes pods announce theirs', () => {
  const prometheus = yamlDocs('prometheus.yml')[0]!;
  const targets = prometheus.scrape_configs.flatMap((c: Obj) => c.static_configs.flatMap((t: Obj) => t.targets as string[])).sort();
  const instances = Object.entries(compose.services as Record<string, Obj>).filter(([, svc]) => svc.build).map(([name, svc]) => `${name}:${svc.environment.METRICS_PORT}`);
  expect(instances).toHaveLength(2);
  expect(targets).toEqual(instances.sort());
  expect(compose.services.prometheus.volumes).toContain('./prometheus.yml:/etc/prometheus/prometheus.yml:ro');
  const pod = byKind('Deployment').spec.template;
  const container = pod.spec.containers[0];
  const port = container.env.find((e: Obj) => e.name === 'METRICS_PORT').value;
  expect(pod.metadata.annotations['prometheus.io/port']).toBe(port);
  expect(container.ports.find((p: Obj) => p.name === 'metrics').containerPort).toBe(Number(port));
});

test('probes point at /healthz (liveness, the image HEALTHCHECK) and /readyz (readiness), which the service answers', async () => {
  const container = byKind('Deployment').spec.template.spec.containers[0];
  expect(container.livenessProbe.httpGet.path).toBe('/healthz');
  expect(container.readinessProbe.httpGet.path).toBe('/readyz');
  const port = container.ports.find((p: Obj) => p.name === container.readinessProbe.httpGet.port);
  expect(port?.containerPort).toBe(Number(container.env.find((e: Obj) => e.name === 'PORT').value));
  expect(dockerfile().find((o) => o.op === 'HEALTHCHECK')?.args).toMatch(/'\/healthz'/);

  const jwks = await startJwksServer([]);
  onFileEnd(() => jwks.close());
  const app = await startTestApp({ file: import.meta.url, jwksUrl: jwks.url });
  for (const route of ['/healthz', '/readyz']) expect({ route, status: (await fetch(`${app.url}${route}`)).status }).toEqual({ route, status: 200 });
});

test('every image is pinned to a version (no :latest, no missing tag)', () => {
  const ops = dockerfile();
  const args = Object.fromEntries(ops.filter((o) => o.op === 'ARG').map((o) => o.args.split('=') as [string, string]));
  const stages = new Set(ops.filter((o) => o.op === 'FROM').map((o) => /\bAS\s+(\S+)/i.exec(o.args)?.[1]).filter(Boolean));
  const images = [
    ...ops.filter((o) => o.op === 'FROM').map((o) => o.args.split(/\s+/)[0]!.replace(/^\$\{(\w+)\}$/, (_, a: string) => args[a] ?? '')),
    ...Object.values(compose.services as Record<string, Obj>).map((s) => s.image as string),
    ...byKind('Deployment').spec.template.spec.containers.map((c: Obj) => c.image as string),
  ].filter((image) => !stages.has(image));
  expect(images.length).toBeGreaterThanOrEqual(10);
  for (const image of images) expect({ image, pinned: /^[^:@\s]+(:(?!latest$)[\w][\w.-]*|@sha256:[0-9a-f]{64})$/.test(image ?? '') }).toEqual({ image, pinned: true });
});

test('the Dockerfile: multi-stage, production dependencies only, the admin app built in, non-root, the README start command', () => {
  const ops = dockerfile();
  const froms = ops.map((o, i) => (o.op === 'FROM' ? i : -1)).filter((i) => i >= 0);
  expect(froms.length).toBeGreaterThanOrEqual(2);
  const last = ops.slice(froms.at(-1));
  const runs = ops.filter((o) => o.op === 'RUN').map((o) => o.args);
  expect(runs).toContainEqual(expect.stringMatching(/npm ci --omit=dev/));
  expect(runs).toContainEqual(expect.stringMatching(/npm run build/));
  // Only the production node_modules reach the last stage.
  const copies = last.filter((o) => o.op === 'COPY').map((o) => o.args);
  expect(copies.filter((c) => c.includes('node_modules'))).toEqual([expect.stringMatching(/^--from=deps /)]);
  expect(copies).toContainEqual(expect.stringMatching(/dist\/admin/));
  expect(imageEnv().ADMIN_DIR).toBe('/app/dist/admin');
  expect(copies).toContainEqual(expect.stringMatching(/src\/queue\/lua/)); // the queue's scripts are read at run time
  const user = last.filter((o) => o.op === 'USER').at(-1)?.args;
  expect(user).toBeDefined();
  expect(['root', '0']).not.toContain(user);

  const start = readmeStartCommand();
  expect(JSON.parse(last.find((o) => o.op === 'CMD')!.args)).toEqual(start);
  expect(byKind('Deployment').spec.template.spec.containers[0].command).toEqual(start);
});

test('the Service and the PodDisruptionBudget select the Deployment\'s pods; the PDB leaves some running', () => {
  const deployment = byKind('Deployment');
  const labels = deployment.spec.template.metadata.labels;
  const service = byKind('Service');
  const pdb = byKind('PodDisruptionBudget');
  expect(labels).toMatchObject(service.spec.selector);
  expect(labels).toMatchObject(pdb.spec.selector.matchLabels);
  expect(labels).toMatchObject(deployment.spec.selector.matchLabels);
  expect(deployment.spec.template.spec.containers[0].ports.map((p: Obj) => p.name)).toContain(service.spec.ports[0].targetPort);
  expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
  expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  const c = deployment.spec.template.spec.containers[0];
  expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
  expect(c.resources.limits.memory).toEqual(expect.any(String));
  const claim = deployment.spec.template.spec.volumes.find((v: Obj) => v.persistentVolumeClaim)?.persistentVolumeClaim.claimName;
  expect(byKind('PersistentVolumeClaim').metadata.name).toBe(claim);
});
