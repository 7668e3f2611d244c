import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '../../src/embedded/launcher.js';
import { onFileEnd } from './backends.js';

const run = promisify(execFile);

/**
 * A real Redis Cluster of one test file: redis-server processes with `cluster-enabled yes` on free loopback
 * ports (client and bus port both chosen, so nothing collides with other files), joined by
 * `redis-cli --cluster create … --cluster-replicas 0`, no persistence. Stopped at the end of the file.
 */
export interface RedisClusterBackend {
  /** The masters, as REDIS_CLUSTER_NODES takes them: `127.0.0.1:port,…`. */
  nodesEnv: string;
  ports: number[];
  /** Process ids of the masters (CPU accounting). */
  pids: number[];
  /** A plain connection to each master (closed at the end of the file), for what a test does to every node. */
  masters: Redis[];
  /** FLUSHALL on every master: the whole cluster loses its data. */
  flushAll(): Promise<void>;
}

/** A cluster-enabled redis-server that joined no cluster (it serves no slot until given some). */
export interface LoneClusterNode {
  port: number;
  client: Redis;
}

const BIN = () => process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** Null when this machine can run a local Redis Cluster (redis-server and redis-cli ≥ 7, for sharded pub/sub); otherwise why not. */
export async function whyNoCluster(): Promise<string | null> {
  try {
    const { stdout } = await run(BIN(), ['--version']);
    const major = Number(/v=(\d+)\./.exec(stdout)?.[1]);
    if (!(major >= 7)) return `redis-server ${stdout.trim()} is older than 7 (sharded pub/sub)`;
    await run('redis-cli', ['--version']);
    return null;
  } catch (err) {
    return `redis-server or redis-cli cannot be run: ${(err as Error).message}`;
  }
}

interface NodeProcess {
  port: number;
  child: ChildProcess;
  output(): string;
}

async function startNode(dir: string): Promise<NodeProcess> {
  const port = await freePort();
  const busPort = await freePort();
  const nodeDir = path.join(dir, String(port));
  mkdirSync(nodeDir);
  let output = '';
  const child = spawn(
    BIN(),
    [
      '--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--dir', nodeDir, '--daemonize', 'no',
      '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '5000',
      '--appendonly', 'no', '--save', '', '--protected-mode', 'yes',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const node = { port, child, output: () => output };
  await untilAnswers(node);
  return node;
}

async function untilAnswers(node: NodeProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (node.child.exitCode !== null || node.child.signalCode !== null) throw new Error(`redis-server exited early: ${node.output()}`);
    try {
      await run('redis-cli', ['-h', '127.0.0.1', '-p', String(node.port), 'PING']);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${node.port}: ${node.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function stopNodes(nodes: NodeProcess[], dir: string): Promise<void> {
  await Promise.all(
    nodes.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }),
  );
  rmSync(dir, { recursive: true, force: true });
}

function client(port: number): Redis {
  const c = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  c.on('error', () => undefined);
  return c;
}

/** Starts a cluster of `masters` masters (default 3), stopped at the end of the test file. */
export async function startRedisCluster(masters = 3): Promise<RedisClusterBackend> {
  const cluster = await launchRedisCluster(masters);
  onFileEnd(() => cluster.stop());
  return cluster;
}

/**
 * Starts a cluster of `masters` masters and waits until every node reports cluster_state:ok; the caller stops it
 * (the bench uses it too, outside jest).
 */
export async function launchRedisCluster(masters = 3): Promise<RedisClusterBackend & { stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'job-service-cluster-'));
  const nodes: NodeProcess[] = [];
  const clients: Redis[] = [];
  const stop = async () => {
    for (const c of clients) c.disconnect();
    await stopNodes(nodes, dir);
  };
  try {
    for (let i = 0; i < masters; i++) nodes.push(await startNode(dir));
    await joinCluster(nodes, clients);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    nodesEnv: nodes.map((n) => `127.0.0.1:${n.port}`).join(','),
    ports: nodes.map((n) => n.port),
    pids: nodes.map((n) => n.child.pid ?? NaN),
    masters: clients,
    flushAll: async () => void (await Promise.all(clients.map((c) => c.flushall()))),
    stop,
  };
}

async function joinCluster(nodes: NodeProcess[], clients: Redis[]): Promise<void> {
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
  for (const n of nodes) clients.push(client(n.port));
  await Promise.all(clients.map((c) => c.connect()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const infos = await Promise.all(clients.map((c) => c.cluster('INFO') as Promise<string>));
    if (infos.every((info) => info.includes('cluster_state:ok'))) break;
    if (Date.now() > deadline) throw new Error(`the cluster did not reach cluster_state:ok: ${infos.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts one cluster-enabled redis-server that belongs to no cluster: it covers no slot until the test adds some. */
export async function startLoneClusterNode(): Promise<LoneClusterNode> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'job-service-test-cluster-node-'));
  const node = await startNode(dir);
  const c = client(node.port);
  onFileEnd(async () => {
    c.disconnect();
    await stopNodes([node], dir);
  });
  await c.connect();
  return { port: node.port, client: c };
}
