import mongoose, { type Connection } from 'mongoose';

/**
 * One mongoose connection per service instance (not the global default), so
 * tests can run several instances, each on its own database, in one process.
 * The URI carries no replicaSet for FerretDB; MongoDB 6/7 URIs are used as given.
 */
export async function connectMongo(uri: string, dbName: string | undefined, maxPoolSize?: number): Promise<Connection> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    ...(maxPoolSize ? { maxPoolSize } : {}),
    serverSelectionTimeoutMS: 10_000,
    autoIndex: false, // indexes are created explicitly at start-up (createIndexes, never syncIndexes)
    autoCreate: false,
    monitorCommands: true,
  });
  await conn.asPromise();
  const counter = { commands: 0 };
  counters.set(conn, counter);
  conn.getClient().on('commandStarted', () => {
    counter.commands++;
  });
  return conn;
}

const counters = new WeakMap<Connection, { commands: number }>();

/** Database commands this connection has sent so far (tests assert round trips with it). */
export function mongoCommandCount(conn: Connection): number {
  return counters.get(conn)?.commands ?? 0;
}

/** Round trip to the database, in ms; throws when it does not answer. */
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
export async function connectDatabase(uri: string, dbName: string | undefined): Promise<{ conn: Connection; ferret: boolean }> {
  const conn = await connectMongo(uri, dbName);
  if (!(await isFerretDB(conn))) return { conn, ferret: false };
  await conn.close();
  return { conn: await connectMongo(uri, dbName, FERRETDB_POOL_SIZE), ferret: true };
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
