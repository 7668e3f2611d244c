import type { Role } from '../generated/graphql.js';

export type { Role };
export const ROLES: readonly Role[] = ['VIEWER', 'SUBMITTER', 'OPERATOR', 'ADMIN', 'WORKER'];

/** The verified caller of one request or socket. */
export interface Principal {
  /** The token's `sub`. */
  id: string;
  /** Roles granted by the token, as listed in its roles claim. */
  roles: Role[];
  /** When the token stops being valid. */
  expiresAt: Date;
}

/**
 * What each role includes. People's roles are ranked (an ADMIN may do what an
 * OPERATOR may do, and so on down to VIEWER); WORKER is a machine role that may
 * also read.
 */
const INCLUDES: Record<Role, readonly Role[]> = {
  VIEWER: ['VIEWER'],
  SUBMITTER: ['SUBMITTER', 'VIEWER'],
  OPERATOR: ['OPERATOR', 'SUBMITTER', 'VIEWER'],
  ADMIN: ['ADMIN', 'OPERATOR', 'SUBMITTER', 'VIEWER'],
  WORKER: ['WORKER', 'VIEWER'],
};

export function hasRole(principal: Principal, required: Role): boolean {
  return principal.roles.some((r) => INCLUDES[r].includes(required));
}

/** Reads roles from a claim (array or space/comma-separated string); unknown names are ignored. */
export function rolesFromClaims(claims: Record<string, unknown>, claimPath: string): Role[] {
  let value: unknown = claims[claimPath];
  if (value === undefined && claimPath.includes('.')) {
    value = claimPath.split('.').reduce<unknown>((acc, key) => (acc && typeof acc === 'object' ? (acc as Record<string, unknown>)[key] : undefined), claims);
  }
  const names = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  const roles = new Set<Role>();
  for (const name of names) {
    if (typeof name !== 'string') continue;
    const upper = name.trim().toUpperCase();
    if ((ROLES as readonly string[]).includes(upper)) roles.add(upper as Role);
  }
  return [...roles];
}
