import mongoose, { type Connection } from 'mongoose';
import { BACKEND_TIMEOUT_DEFAULTS } from '../config.js';

export interface MongoConnectOptions {
  /**
   * Bound on each wait of an operation, in ms: server selection, connection check-out, opening a
   * connection and every reply (MONGO_TIMEOUT_MS). Default BACKEND_TIMEOUT_DEFAULTS.mongoMs.
   */
  timeoutMs?: number;
  /**
   * Count the commands this connection sends (mongoCommandCount, mongoCommandCounts). It turns on
   * the driver's command monitoring, which costs CPU on every command: tests and benchmarks only. Default false.
   */
  countCommands?: boolean;
  /** Largest connection pool. Default: the driver's (100). */
  maxPoolSize?: number;
}

/**
 * One mongoose connection per service instance (not the global default), so
 * tests can run several instances, each on its own database, in one process.
 * The URI carries no replicaSet for FerretDB; MongoDB 6/7 URIs are used as given.
 *
 * Time bounds: driver 7.x ignores `timeoutMS` (deprecated, "has no effect"), so each wait is bounded
 * on its own. socketTimeoutMS ends a reply that does not come (a server that accepted the connection
 * and stopped answering, e.g. SIGSTOP); connectTimeoutMS ends a connection handshake and the
 * monitor's heartbeat, so a silent server is marked unknown; serverSelectionTimeoutMS and
 * waitQueueTimeoutMS end the waits for a server and for a pooled connection. A read that fails on the
 * network is retried once by the driver (retryable reads), so it gives up after about twice the bound.
 * Mongoose's buffering is off: while the driver reports the server unknown, mongoose would otherwise
 * queue operations for its own bufferTimeoutMS (10 s) instead of failing within the bound.
 */
export async function connectMongo(uri: string, dbName: string | undefined, options: MongoConnectOptions = {}): Promise<Connection> {
  const timeoutMs = options.timeoutMs ?? BACKEND_TIMEOUT_DEFAULTS.mongoMs;
  const countCommands = options.countCommands === true;
  const conn = mongoose.createConnection(uri, {
    dbName,
    ...(options.maxPoolSize ? { maxPoolSize: options.maxPoolSize } : {}),
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs,
    waitQueueTimeoutMS: timeoutMs,
    bufferCommands: false,
    autoIndex: false, // indexes are created explicitly at start-up (createIndexes, never syncIndexes)
    autoCreate: false,
    monitorCommands: countCommands,
  });
  await conn.asPromise();
  if (countCommands) {
    const counter: CommandCounter = { total: 0, byName: {} };
    counters.set(conn, counter);
    conn.getClient().on('commandStarted', (event) => {
      counter.total++;
      counter.byName[event.commandName] = (counter.byName[event.commandName] ?? 0) + 1;
    });
  }
  return conn;
}

interface CommandCounter {
  total: number;
  byName: Record<string, number>;
}

const counters = new WeakMap<Connection, CommandCounter>();

function counterOf(conn: Connection): CommandCounter {
  const counter = counters.get(conn);
  if (!counter) throw new Error('this connection does not count its commands: connect it with { countCommands: true } (startApp: { instrument: true })');
  return counter;
}

/** Database commands this connection has sent so far (tests assert round trips with it). Needs countCommands. */
export function mongoCommandCount(conn: Connection): number {
  return counterOf(conn).total;
}

/** Database commands this connection has sent so far, by command name (find, update, …): a copy. Needs countCommands. */
export function mongoCommandCounts(conn: Connection): Record<string, number> {
  return { ...counterOf(conn).byName };
}

/** Round trip to the database, in ms; throws when it does not answer (within the connection's bound). */
export async function pingMongo(conn: Connection): Promise<number> {
  const started = performance.now();
  if (!conn.db) throw new Error('not connected');
  await conn.db.command({ ping: 1 });
  return performance.now() - started;
}

/** FerretDB's SQLite takes one writer at a time; more connections only add lock contention (measured: 4 beats 1 and 100). */
export const FERRETDB_POOL_SIZE = 4;

/**
 * Connects, and when the server turns out to be FerretDB, connects again with
 * a pool sized for it. Returns the connection and whether it is FerretDB.
 */
export async function connectDatabase(
  uri: string,
  dbName: string | undefined,
  options: Omit<MongoConnectOptions, 'maxPoolSize'> = {},
): Promise<{ conn: Connection; ferret: boolean }> {
  const conn = await connectMongo(uri, dbName, options);
  if (!(await isFerretDB(conn))) return { conn, ferret: false };
  await conn.close();
  return { conn: await connectMongo(uri, dbName, { ...options, maxPoolSize: FERRETDB_POOL_SIZE }), ferret: true };
}

/**
 * Whether the server is FerretDB. FerretDB v1 (SQLite) pushes a filter down to
 * SQL only when it is exactly `{ _id: ... }`; any other key makes it scan the
 * whole collection in Go. Writes to one job are serialized under a Redis lock
 * (DESIGN.md), so on FerretDB the status condition adds no safety and the
 * service writes by _id alone there; on MongoDB it keeps the condition.
 */
export async function isFerretDB(conn: Connection): Promise<boolean> {
  if (!conn.db) throw new Error('not connected');
  const info = await conn.db.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in info;
}
