/**
 * The real service for test suites that are not jest (the Python client's pytest suite): the harness's
 * FerretDB and redis-server on free ports (or MONGODB_URI / REDIS_URL), a local JWKS, and instances of
 * the built service (dist/src/main.js, `npm run -s build` first) started on request, each on its own
 * database and Redis key prefix.
 *
 * Built with `npx tsc -p tsconfig.harness.json`, run as `node dist-harness/test/harness/serviceLauncher.js`
 * from the repository root. It speaks JSON lines:
 * - stdout, first: {"event":"ready","tokens":{"WORKER":…,"SUBMITTER":…,"OPERATOR":…,"VIEWER":…,"ADMIN":…}}
 *   (real ES256 JWTs for the local JWKS, valid one hour; subjects py-<role>);
 * - stdin {"id":1,"op":"start","env":{"LEASE_SECONDS":"2"}} → stdout {"id":1,"url":…,"name":…,"pid":…};
 * - stdin {"id":2,"op":"stop","name":…} → stdout {"id":2,"stopped":true} (SIGTERM, then SIGKILL after 5 s);
 * - stdin {"id":3,"op":"token","roles":["WORKER"],"sub":"x","expiresIn":60} → stdout {"id":3,"token":…};
 * - a request that fails → {"id":…,"error":"…"}.
 * When stdin closes (the test runner ended or died) it stops every instance and the backends and exits.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { backends, stopBackends } from './backends.js';
import { makeKey, signToken, startJwksServer } from './jwks.js';
import { startServiceProcess, type ServiceProcess } from './serviceProcess.js';

const ROLES = ['WORKER', 'SUBMITTER', 'OPERATOR', 'VIEWER', 'ADMIN'] as const;

interface Request {
  id?: unknown;
  op?: unknown;
  env?: unknown;
  name?: unknown;
  roles?: unknown;
  sub?: unknown;
  expiresIn?: unknown;
}

function send(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('env must be an object of strings');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = String(v);
  return out;
}

async function main(): Promise<void> {
  const { mongoUri, redisUrl } = await backends();
  const key = await makeKey('py-key', 'ES256');
  const jwks = await startJwksServer([key]);
  const services = new Map<string, ServiceProcess>();
  const tokens: Record<string, string> = {};
  for (const role of ROLES) tokens[role] = await signToken(key, { roles: [role], sub: `py-${role.toLowerCase()}` });
  send({ event: 'ready', tokens });

  const handle = async (req: Request): Promise<Record<string, unknown>> => {
    switch (req.op) {
      case 'start': {
        const name = `py_${randomBytes(5).toString('hex')}`;
        const svc = await startServiceProcess({ name, mongoUri, redisUrl, jwksUrl: jwks.url, env: stringRecord(req.env) });
        services.set(name, svc);
        return { url: svc.url, name, pid: svc.pid };
      }
      case 'stop': {
        const svc = services.get(String(req.name));
        if (!svc) throw new Error(`no service named ${String(req.name)}`);
        services.delete(String(req.name));
        const timer = setTimeout(() => void svc.kill('SIGKILL'), 5_000);
        await svc.kill('SIGTERM');
        clearTimeout(timer);
        return { stopped: true };
      }
      case 'token': {
        const roles = Array.isArray(req.roles) ? req.roles.map(String) : ['VIEWER'];
        const expiresIn = typeof req.expiresIn === 'number' ? req.expiresIn : undefined;
        return { token: await signToken(key, { roles, sub: typeof req.sub === 'string' ? req.sub : 'py-user', expiresIn }) };
      }
      default:
        throw new Error(`unknown op ${String(req.op)}`);
    }
  };

  const pending = new Set<Promise<void>>();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (!line.trim()) return;
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
    } catch {
      send({ error: `not JSON: ${line.slice(0, 200)}` });
      return;
    }
    const task = handle(req).then(
      (answer) => send({ id: req.id, ...answer }),
      (error: unknown) => send({ id: req.id, error: error instanceof Error ? error.message : String(error) }),
    );
    pending.add(task);
    void task.finally(() => pending.delete(task));
  });
  await new Promise<void>((resolve) => lines.once('close', () => resolve()));
  await Promise.allSettled([...pending]);
  // stopBackends stops the service processes (their onFileEnd hooks) before the backends.
  await stopBackends();
  await jwks.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`service launcher: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void stopBackends().finally(() => process.exit(1));
  },
);
