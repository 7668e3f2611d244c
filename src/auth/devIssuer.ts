import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import type { Role } from './principal.js';

/**
 * The local token issuer of dev mode: one ES256 key pair persisted under
 * DATA_DIR/dev-issuer, its public half served by the service at
 * /.well-known/jwks.json and verified through the same remote-JWKS path as in
 * production. Never used when NODE_ENV=production.
 */
export interface DevIssuer {
  jwks(): { keys: JWK[] };
  mint(opts: { sub: string; roles: Role[]; ttlSeconds?: number }): Promise<string>;
}

const ALG = 'ES256';

export async function loadDevIssuer(dataDir: string, issuer: string, audience: string): Promise<DevIssuer> {
  const dir = path.join(dataDir, 'dev-issuer');
  const file = path.join(dir, 'private-key.jwk.json');
  let privateJwk: JWK;
  if (existsSync(file)) {
    privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } else {
    const { privateKey } = await generateKeyPair(ALG, { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), alg: ALG, use: 'sig', kid: `dev-${Date.now().toString(36)}` };
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  const { d: _d, ...publicJwk } = privateJwk;
  const key = await importJWK(privateJwk, ALG);
  return {
    jwks: () => ({ keys: [publicJwk] }),
    mint: ({ sub, roles, ttlSeconds = 12 * 3600 }) =>
      new SignJWT({ roles })
        .setProtectedHeader({ alg: ALG, kid: privateJwk.kid!, typ: 'JWT' })
        .setSubject(sub)
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
  };
}
