import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import type { Role } from '../../src/generated/graphql.js';

export const TEST_ISSUER = 'https://issuer.test.local';
export const TEST_AUDIENCE = 'job-service-test';

export interface TestKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function makeKey(kid: string, alg = 'RS256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** A real JWKS endpoint on loopback whose key set a test can change (key rotation). */
export interface JwksServer {
  url: string;
  /** Number of times the key set was fetched. */
  fetches: number;
  setKeys(keys: TestKey[]): void;
  close(): Promise<void>;
}

export async function startJwksServer(keys: TestKey[]): Promise<JwksServer> {
  let current = keys;
  const state = { fetches: 0 };
  const server = http.createServer((req, res) => {
    if (req.url !== '/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    state.fetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: current.map((k) => k.publicJwk) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    get fetches() {
      return state.fetches;
    },
    setKeys(k) {
      current = k;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SignOptions {
  sub?: string | null;
  roles?: string[];
  issuer?: string;
  audience?: string;
  /** Seconds from now; null leaves exp out. */
  expiresIn?: number | null;
  /** Seconds from now for nbf. */
  notBefore?: number;
  extra?: JWTPayload;
}

/** Signs a real JWT with jose. Defaults: valid for one hour for the test issuer and audience. */
export async function signToken(key: TestKey, opts: SignOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: JWTPayload = { roles: opts.roles ?? ['VIEWER'], ...opts.extra };
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(opts.issuer ?? TEST_ISSUER)
    .setAudience(opts.audience ?? TEST_AUDIENCE)
    .setIssuedAt(now);
  if (opts.sub !== null) jwt.setSubject(opts.sub ?? 'user-1');
  if (opts.expiresIn !== null) jwt.setExpirationTime(now + (opts.expiresIn ?? 3600));
  if (opts.notBefore !== undefined) jwt.setNotBefore(now + opts.notBefore);
  return jwt.sign(key.privateKey);
}

/** One token per role of the schema's Role enum, each with only that role. */
export interface RoleTokens {
  viewer: string;
  submitter: string;
  operator: string;
  admin: string;
  worker: string;
}

/** The subjects of roleTokens: what createdBy, setBy and lastUpdatedBy read in tests. */
export const ROLE_SUBJECTS: Readonly<Record<keyof RoleTokens, string>> = { viewer: 'vic', submitter: 'sue', operator: 'olga', admin: 'alice', worker: 'bot' };

const ROLE_OF: Readonly<Record<keyof RoleTokens, Role>> = { viewer: 'VIEWER', submitter: 'SUBMITTER', operator: 'OPERATOR', admin: 'ADMIN', worker: 'WORKER' };

/** Signs a token per role with `key` (subjects from ROLE_SUBJECTS unless given), valid for an hour. */
export async function roleTokens(key: TestKey, subjects: Partial<Record<keyof RoleTokens, string>> = {}): Promise<RoleTokens> {
  const roles = Object.keys(ROLE_OF) as Array<keyof RoleTokens>;
  const signed = await Promise.all(roles.map((r) => signToken(key, { roles: [ROLE_OF[r]], sub: subjects[r] ?? ROLE_SUBJECTS[r] })));
  return Object.fromEntries(roles.map((r, i) => [r, signed[i]!])) as unknown as RoleTokens;
}
