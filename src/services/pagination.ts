import { GraphQLError } from 'graphql';
import type { Types } from 'mongoose';
import type { MaintenanceEventRecord } from '../models/maintenance.js';
import type { ScheduleRecord } from '../models/schedule.js';
import type { JobRecord } from '../models/job.js';
import type { TargetRecord } from '../models/target.js';
import type { WorkerView } from './workers.js';
import { parseObjectId } from './byIds.js';

/** Relay pagination shared by every connection: bounded `first`, opaque cursors, keyset paging. */

export const DEFAULT_PAGE = 20;
export const MAX_PAGE = 100;

export function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput(`first must be between 1 and ${MAX_PAGE}`);
  return first;
}

/** A cursor is the sort key of an item, base64url-encoded JSON. */
export function encodeCursor(values: Array<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** What each place of a cursor holds: a finite number, a string, or a 24-hex ObjectId (given as a string). */
type CursorPart = 'number' | 'string' | 'objectId';
type Decoded<P extends readonly CursorPart[]> = { [K in keyof P]: P[K] extends 'number' ? number : P[K] extends 'objectId' ? Types.ObjectId : string };

/**
 * The values of a cursor made by encodeCursor, checked against the shape the connection gives it; anything
 * else (another connection's cursor, a hand-made one) is a BAD_USER_INPUT error, never an empty page.
 */
export function decodeCursor<const P extends readonly CursorPart[]>(cursor: string, parts: P): Decoded<P> {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = null;
  }
  if (Array.isArray(values) && values.length === parts.length) {
    const decoded = parts.map((part, i) => {
      const v: unknown = values[i];
      if (part === 'number') return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
      if (part === 'objectId') return parseObjectId(v) ?? undefined;
      return typeof v === 'string' ? v : undefined;
    });
    if (decoded.every((v) => v !== undefined)) return decoded as Decoded<P>;
  }
  throw badInput('after: not a cursor from this connection');
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** Counted only when a query selects `totalCount`: on some backends the count costs more than the page. */
  totalCount: () => Promise<number>;
}

/** How a list is asked for: `countNow` starts the count beside the page's read (the query selects totalCount). */
export interface ListOptions {
  countNow?: boolean;
}

/** A count run at most once: at once when `now`, else when first asked. */
export function lazyCount(count: () => PromiseLike<number>, now = false): () => Promise<number> {
  let counted: Promise<number> | undefined;
  // A mongoose query is a thenable that runs on every then(): adopted once into a real promise.
  const get = () => (counted ??= Promise.resolve(count()));
  if (now) get().catch(() => undefined); // the failure, if any, reaches whoever reads the count
  return get;
}

/** Builds a connection from up to `first + 1` fetched items (the extra one tells whether a next page exists). */
export function toConnection<T>(items: T[], first: number, after: string | null | undefined, cursorOf: (item: T) => string, totalCount: () => Promise<number>): Connection<T> {
  const page = items.slice(0, first);
  const edges = page.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    nodes: page,
    pageInfo: {
      hasNextPage: items.length > first,
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
    totalCount,
  };
}

/** The connections as the resolvers see them (codegen.ts maps the schema's connection types here). */
export type JobConnectionModel = Connection<JobRecord>;
export type TargetConnectionModel = Connection<TargetRecord>;
export type WorkerConnectionModel = Connection<WorkerView>;
export type MaintenanceEventConnectionModel = Connection<MaintenanceEventRecord>;
export type ScheduleConnectionModel = Connection<ScheduleRecord>;
