import type { ZodError } from 'zod';

/** An error the caller can fix, returned as data in a payload's userErrors. */
export interface UserError {
  code: string;
  message: string;
  field: string[] | null;
}

export function userError(code: string, message: string, field: Array<string | number> | null = null): UserError {
  return { code, message, field: field ? field.map(String) : null };
}

/** zod issues → userErrors, with paths under the mutation's argument (e.g. ["input", "items", "3", "target"]). */
export function fromZod(error: ZodError, code: string, prefix: Array<string | number>): UserError[] {
  return error.issues.map((i) => userError(code, i.message, [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))]));
}
