import { GraphQLError } from 'graphql';
import type { MaintenanceEventRecord } from '../models/maintenance.js';
import type { JobRecord } from '../models/job.js';
import type { TargetRecord } from '../models/target.js';
import type { WorkerView } from './workers.js';

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
export function encodeCursor(values: Array<string | number | boolean | null>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): Array<string | number | boolean | null> {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(values) && values.length === length && values.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) {
      return values as Array<string | number | boolean | null>;
    }
  } catch {
    // fall through
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
