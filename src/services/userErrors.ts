import type { ZodError } from 'zod';

/**
 * Every code a userError may carry. Documented on UserError.code in schema/base.graphql; test/user-errors.test.ts
 * fails when the two lists differ or when a code has no case there that produces it.
 */
export const USER_ERROR_CODES = [
  'BUMP_DISABLED',
  'COUNT_ABOVE_EXPECTED',
  'DUPLICATE_IN_PROGRESS',
  'DUPLICATE_NAME',
  'EMPTY_FILTER',
  'INTERNAL',
  'INVALID_BATCH',
  'INVALID_CRON',
  'INVALID_NAME',
  'INVALID_PARAMETERS',
  'INVALID_TARGET',
  'INVALID_TIME_ZONE',
  'INVALID_TRANSITION',
  'JOB_TERMINAL',
  'LEASE_LOST',
  'NO_CHILDREN',
  'NO_MATCH',
  'NOT_FOUND',
  'NOT_RETRYABLE',
  'TOO_LARGE',
  'TOO_MANY',
  'TOO_MANY_GROUPS',
] as const;
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];

/** An error the caller can fix, returned as data in a payload's userErrors. */
export interface UserError {
  code: UserErrorCode;
  message: string;
  field: string[] | null;
}

export function userError(code: UserErrorCode, message: string, field: Array<string | number> | null = null): UserError {
  return { code, message, field: field ? field.map(String) : null };
}

/** zod issues → userErrors, with paths under the mutation's argument (e.g. ["input", "items", "3", "target"]). */
export function fromZod(error: ZodError, code: UserErrorCode, prefix: Array<string | number>): UserError[] {
  return error.issues.map((i) => userError(code, i.message, [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))]));
}
