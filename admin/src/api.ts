import { createClient, type Client } from 'graphql-ws';

/**
 * The app's GraphQL client: queries and mutations over HTTP POST /graphql,
 * subscriptions over graphql-ws on the same URL, both with the bearer token
 * kept in session storage (gone when the tab closes).
 */

/** An operation text tied to its generated result and variable types (see `op`). */
export type Operation<R, V> = string & { readonly __result?: R; readonly __variables?: V };

/** Marks an operation text with its generated types: `op<JobsQuery, JobsQueryVariables>(/* GraphQL *\/ `...`)`. */
export const op = <R, V = Record<string, never>>(text: string): Operation<R, V> => text as Operation<R, V>;

/** What every mutation selects of its userErrors: `userErrors { ...UserErrorFields }`, with this text appended. */
export const USER_ERROR_FIELDS = /* GraphQL */ `
  fragment UserErrorFields on UserError {
    code
    message
    field
  }
`;

/** A userError as every payload returns it. */
export interface UserError {
  code: string;
  message: string;
  field?: readonly string[] | null;
}

/** A request that failed as a whole: network, HTTP status or a top-level GraphQL error. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'jobservice.token';
const listeners = new Set<() => void>();

export function getToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
  resetSocket();
  for (const fn of listeners) fn();
}

/** Called whenever the token changes (sign-in, sign-out, expiry). */
export function onTokenChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Takes a token handed over in the URL fragment (#token=...) into session storage and removes it from the URL. */
export function adoptTokenFromFragment(): void {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (!token) return;
  sessionStorage.setItem(TOKEN_KEY, token);
  history.replaceState(history.state, '', location.pathname + location.search);
}

const endpoint = '/graphql';

export async function request<R, V>(operation: Operation<R, V>, variables?: V, signal?: AbortSignal): Promise<R> {
  const token = getToken();
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: operation, variables: variables ?? {} }),
      signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError('The service cannot be reached. Check that it is running.', 'NETWORK');
  }
  let body: { data?: R | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new ApiError(`The service answered ${res.status} without a GraphQL body.`, 'HTTP');
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code ?? 'ERROR';
    if (code === 'UNAUTHENTICATED') expired(first.message);
    throw new ApiError(first.message, code);
  }
  if (!body.data) throw new ApiError(`The service answered ${res.status} without data.`, 'HTTP');
  return body.data;
}

let signOutReason: string | null = null;

/** Why the last session ended (shown on the sign-in page), once. */
export function takeSignOutReason(): string | null {
  const reason = signOutReason;
  signOutReason = null;
  return reason;
}

function expired(message: string): void {
  signOutReason = message;
  setToken(null);
}

let socket: Client | null = null;
const reconnectListeners = new Set<() => void>();

/** Called when the live connection comes back after a drop: what is on screen may have missed events. */
export function onReconnect(fn: () => void): () => void {
  reconnectListeners.add(fn);
  return () => reconnectListeners.delete(fn);
}

function resetSocket(): void {
  const old = socket;
  socket = null;
  void old?.dispose();
}

function client(): Client {
  if (socket) return socket;
  const url = new URL(endpoint, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  let connectedBefore = false;
  socket = createClient({
    url: url.href,
    lazy: true,
    connectionParams: () => {
      const token = getToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    retryAttempts: Infinity,
    // 4401: token expired, 4403: token refused — signing in again is the only fix.
    shouldRetry: (event) => !(event instanceof CloseEvent && (event.code === 4401 || event.code === 4403)),
    on: {
      connected: () => {
        if (connectedBefore) for (const fn of reconnectListeners) fn();
        connectedBefore = true;
      },
      closed: (event) => {
        if (event instanceof CloseEvent && (event.code === 4401 || event.code === 4403)) expired(event.reason || 'The token was refused.');
      },
    },
  });
  return socket;
}

/** Runs a subscription until the returned function is called. Reconnects and resubscribes on its own. */
export function subscribe<R, V>(operation: Operation<R, V>, variables: V | undefined, onData: (data: R) => void, onError?: (message: string) => void): () => void {
  return client().subscribe<R>(
    { query: operation, variables: (variables ?? {}) as Record<string, unknown> },
    {
      next: (result) => {
        if (result.errors?.length) onError?.(result.errors.map((e) => e.message).join('; '));
        else if (result.data) onData(result.data);
      },
      error: (err) => onError?.(err instanceof Error ? err.message : 'The live connection failed.'),
      complete: () => undefined,
    },
  );
}
