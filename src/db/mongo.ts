import mongoose, { type Connection } from 'mongoose';

/**
 * One mongoose connection per service instance (not the global default), so
 * tests can run several instances, each on its own database, in one process.
 * The URI carries no replicaSet for FerretDB; MongoDB 6/7 URIs are used as given.
 */
export async function connectMongo(uri: string, dbName: string | undefined): Promise<Connection> {
  const conn = mongoose.createConnection(uri, {
    dbName,
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
