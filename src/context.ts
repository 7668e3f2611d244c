import type { Logger } from './logger.js';
import type { Principal } from './auth/principal.js';
import type { Loaders } from './loaders.js';
import type { Services } from './services/index.js';

/** What every resolver receives. Built per HTTP request or per WebSocket operation. */
export interface GraphQLContext {
  /** Request id (HTTP) or socket-and-operation id (WebSocket); also the correlation id of masked errors. */
  reqId: string;
  logger: Logger;
  /** The verified caller; null for an anonymous request. */
  principal: Principal | null;
  services: Services;
  /** Per-request DataLoaders. */
  loaders: Loaders;
  /** Aborted when the client goes away or the service shuts down (ends long polls). */
  signal: AbortSignal;
}
