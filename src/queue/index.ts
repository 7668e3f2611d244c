export { RedisQueue, QueueResetError } from './queue.js';
export { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { codeMessage, codeName, QueueCode, QueueError, type QueueCodeName, type QueueCodeValue } from './codes.js';
export { OPERATIONS, outboxEntry, PRIORITY_MAX, PRIORITY_MIN, queueKeys, readyScore, type JobOperation, type QueueKeys } from './keys.js';
export type * from './types.js';
export { scopeOf, type CapFill, type QueueCap } from './caps.js';
