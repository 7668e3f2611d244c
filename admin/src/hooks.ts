import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { onReconnect, request, subscribe, type Operation } from './api.js';

export interface QueryState<R> {
  data: R | null;
  error: string | null;
  loading: boolean;
  /** Runs the query again (keeps the old data on screen meanwhile). */
  reload: () => void;
  /** Replaces the data locally, e.g. after a live event. */
  setData: (update: (old: R | null) => R | null) => void;
}

/** Runs a query when mounted and whenever `key` (a JSON of the variables, by default) changes. */
export function useQuery<R, V>(operation: Operation<R, V>, variables?: V, opts: { skip?: boolean } = {}): QueryState<R> {
  const key = JSON.stringify(variables ?? {});
  const [data, setDataState] = useState<R | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(!opts.skip);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (opts.skip) return;
    const ctl = new AbortController();
    setLoading(true);
    request(operation, JSON.parse(key) as V, ctl.signal).then(
      (d) => {
        setDataState(d);
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if ((err as Error).name === 'AbortError') return;
        setError(err instanceof Error ? err.message : String(err));
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [operation, key, tick, opts.skip]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  // Live updates missed while the socket was down: fetch again once it is back.
  useEffect(() => (opts.skip ? undefined : onReconnect(reload)), [reload, opts.skip]);
  return { data, error, loading, reload, setData: setDataState };
}

/** Subscribes while mounted (and re-subscribes when the variables change); `onData` may change freely. */
export function useSubscription<R, V>(operation: Operation<R, V>, variables: V | undefined, onData: (data: R) => void, opts: { skip?: boolean } = {}): string | null {
  const key = JSON.stringify(variables ?? {});
  const handler = useRef(onData);
  handler.current = onData;
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (opts.skip) return;
    setError(null);
    return subscribe(
      operation,
      JSON.parse(key) as V,
      (d) => {
        setError(null);
        handler.current(d);
      },
      setError,
    );
  }, [operation, key, opts.skip]);
  return error;
}

export interface MutationState<R, V> {
  run: (variables: V) => Promise<R | null>;
  running: boolean;
  /** A failure of the request as a whole (userErrors come back inside the result). */
  error: string | null;
}

/** A mutation to run on demand; `run` resolves to null when the request itself failed (see `error`). */
export function useMutation<R, V>(operation: Operation<R, V>): MutationState<R, V> {
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (variables: V) => {
      setRunning(true);
      setError(null);
      try {
        return await request(operation, variables);
      } catch (err) {
        setError(err instanceof Error ? err.message : String(err));
        return null;
      } finally {
        setRunning(false);
      }
    },
    [operation],
  );
  return { run, running, error };
}
