import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { GraphQLContext } from './context.js';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * graphql-ws's `subscribe`, with each event executed once per kind of subscriber
 * instead of once per subscriber. The event bus hands every subscriber of an instance
 * the same parsed payload object, and what a subscription field returns depends only
 * on that payload, the operation, its variables and the caller's roles (@auth) —
 * never on who the caller is otherwise. So subscribers that agree on those four get
 * the same result object, executed by the first of them to get the event: in a fan-out
 * of one event to 1,000 identical subscriptions, 1 execution instead of 1,000.
 * Results are kept per payload in a WeakMap, so they go when the event does.
 */
export function sharedSubscribe(): (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const results = new WeakMap<object, Map<string, Result>>();
  return async (args) => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source; // refused before any event: errors
    const key = subscriberKey(args);
    const run = (payload: unknown): Result => {
      if (payload === null || typeof payload !== 'object') return execute({ ...args, rootValue: payload });
      let byKey = results.get(payload);
      if (!byKey) results.set(payload, (byKey = new Map()));
      let result = byKey.get(key);
      if (!result) byKey.set(key, (result = execute({ ...args, rootValue: payload })));
      return result;
    };
    return mapEvents(source, run);
  };
}

/** What makes two subscribers' results for one event the same. */
function subscriberKey(args: ExecutionArgs): string {
  const roles = [...((args.contextValue as GraphQLContext | undefined)?.principal?.roles ?? [])].sort();
  return JSON.stringify([args.document.loc?.source.body ?? print(args.document), args.operationName ?? null, args.variableValues ?? null, roles]);
}

/**
 * Maps each event of `source` through `fn`. A plain iterator rather than an async
 * generator: `return()` must reach the source at once (ending the bus subscription)
 * even while a `next()` waits for an event that may never come.
 */
function mapEvents<T>(source: AsyncIterable<T>, fn: (event: T) => Result): AsyncIterableIterator<ExecutionResult> {
  const it = source[Symbol.asyncIterator]();
  const map = async (r: IteratorResult<T>): Promise<IteratorResult<ExecutionResult>> => (r.done ? { done: true, value: undefined } : { done: false, value: await fn(r.value) });
  return {
    next: () => it.next().then(map),
    return: () => (it.return ? it.return().then(map) : Promise.resolve({ done: true, value: undefined })),
    throw: (err: unknown) => (it.throw ? it.throw(err).then(map) : Promise.reject(err instanceof Error ? err : new Error(String(err)))),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
