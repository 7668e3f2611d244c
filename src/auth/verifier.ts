import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { AuthConfig } from '../config.js';
import { rolesFromClaims, type Principal } from './principal.js';

/** Why a token was refused; the message is safe to show the caller. */
export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export interface TokenVerifier {
  verify(token: string): Promise<Principal>;
}

/** Turns jose's errors into a short reason for the client; anything else is a fault and rethrown. */
function reason(err: unknown): string | undefined {
  if (err instanceof errors.JWTExpired) return 'token expired';
  if (err instanceof errors.JWTClaimValidationFailed) return `claim check failed: ${err.claim} ${err.reason}`;
  if (err instanceof errors.JOSEAlgNotAllowed) return 'signature algorithm not allowed';
  if (err instanceof errors.JWKSNoMatchingKey) return 'no key matches the token';
  if (err instanceof errors.JWKSMultipleMatchingKeys) return 'several keys match the token';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'malformed token';
  if (err instanceof errors.JOSENotSupported) return 'unsupported token';
  return undefined;
}

/**
 * Verifies bearer tokens against a remote JWKS (in dev mode the service's own
 * /.well-known/jwks.json, through the same path). The key set is cached and
 * refetched when a token names an unknown kid (at most once per cooldown).
 */
export function createVerifier(cfg: AuthConfig, jwksUrl: string): TokenVerifier {
  const jwks = createRemoteJWKSet(new URL(jwksUrl), {
    cooldownDuration: cfg.jwksCooldownMs,
    cacheMaxAge: cfg.jwksCacheMaxAgeMs,
    timeoutDuration: 5_000,
  });
  // A worker or an admin app sends the same token with every request: its verified principal is kept for a
  // short while (never past the token's own expiry), which saves a signature check per request.
  const verified = new Map<string, { principal: Principal; until: number }>();
  return {
    async verify(token: string): Promise<Principal> {
      const now = Date.now();
      const hit = verified.get(token);
      if (hit && hit.until > now) return hit.principal;
      if (hit) verified.delete(token);
      const principal = await verifyOnce(token);
      verified.set(token, { principal, until: Math.min(principal.expiresAt.getTime(), now + VERIFIED_TTL_MS) });
      if (verified.size > VERIFIED_MAX) verified.delete(verified.keys().next().value!);
      return principal;
    },
  };

  async function verifyOnce(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        algorithms: cfg.algorithms,
        issuer: cfg.issuer,
        audience: cfg.audience,
        requiredClaims: ['exp', 'sub'],
        clockTolerance: cfg.clockToleranceSeconds,
      }));
    } catch (err) {
      const why = reason(err);
      if (why) throw new AuthenticationError(why);
      throw err;
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new AuthenticationError('claim check failed: sub missing');
    return {
      id: payload.sub,
      roles: rolesFromClaims(payload as Record<string, unknown>, cfg.rolesClaim),
      expiresAt: new Date((payload.exp as number) * 1000),
    };
  }
}

/** How long a verified token is trusted without a new signature check, and how many are kept. */
const VERIFIED_TTL_MS = 30_000;
const VERIFIED_MAX = 10_000;

/** Extracts the token from an `Authorization: Bearer …` value; undefined when absent. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string' || header.length === 0) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new AuthenticationError('the Authorization header must be "Bearer <token>"');
  return m[1];
}
