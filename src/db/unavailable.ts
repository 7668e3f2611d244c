import { mongo } from 'mongoose';

/**
 * Tells a backend that did not answer in time, or could not be reached, from every other fault,
 * so the client gets SERVICE_UNAVAILABLE ("try again") instead of an internal error.
 * By class or name where the driver has one; ioredis rejects its timeouts and closed-connection
 * cases with plain Errors, so those are told by their fixed messages.
 */
export type UnavailableBackend = 'mongodb' | 'redis';

/** MongoDB driver errors that mean the server is unreachable, silent or too slow (MongoNetworkError covers its timeout and pool-cleared subclasses). */
const MONGO_CLASSES = [mongo.MongoServerSelectionError, mongo.MongoNetworkError, mongo.MongoOperationTimeoutError, mongo.MongoTopologyClosedError];
/** Driver errors whose classes the driver does not export, and mongoose's wrapper of a failed first connection. */
const MONGO_NAMES = new Set(['MongoWaitQueueTimeoutError', 'MongoPoolClosedError', 'MongooseServerSelectionError']);
/** The server gave up on the operation's maxTimeMS. */
const MONGO_MAX_TIME_EXPIRED = 50;

/** ioredis's messages for a command that got no reply in time, or a connection that is gone. */
const REDIS_MESSAGES = new Set(['Command timed out', 'Connection is closed.', "Stream isn't writeable and enableOfflineQueue options is false"]);
/** Redis reply codes for a server that cannot serve commands now (a long script, loading its data). */
const REDIS_BUSY_CODES = /^(BUSY|LOADING|MASTERDOWN|TRYAGAIN) /;

function classify(err: Error): UnavailableBackend | null {
  if (MONGO_CLASSES.some((cls) => err instanceof cls) || MONGO_NAMES.has(err.name)) return 'mongodb';
  if (err instanceof mongo.MongoServerError && err.code === MONGO_MAX_TIME_EXPIRED) return 'mongodb';
  if (err.name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.has(err.message)) return 'redis';
  if (err.name === 'ReplyError' && REDIS_BUSY_CODES.test(err.message)) return 'redis';
  return null;
}

/** The backend behind an error, looking through GraphQL's originalError and `cause` chains; null for any other fault. */
export function unavailableBackend(err: unknown): UnavailableBackend | null {
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const backend = classify(current);
    if (backend) return backend;
    current = (current as { originalError?: unknown }).originalError ?? current.cause;
  }
  return null;
}

/** What the client reads: what did not answer, and that trying again is the remedy. */
export const UNAVAILABLE_MESSAGES: Record<UnavailableBackend, string> = {
  mongodb: 'the database did not answer in time; try again',
  redis: 'the queue store (Redis) did not answer in time; try again',
};
