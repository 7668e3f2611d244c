import { createPublicKey } from 'node:crypto';
import { SignJWT } from 'jose';
import type { App } from '../src/app.js';
import { gql, startTestApp } from './harness/app.js';
import { makeKey, signToken, startJwksServer, TEST_AUDIENCE, TEST_ISSUER, type JwksServer, type TestKey } from './harness/jwks.js';

const VIEWER_QUERY = '{ viewer { id roles } }';

let jwks: JwksServer;
let k1: TestKey;
let k2: TestKey;
let app: App;

beforeAll(async () => {
  k1 = await makeKey('key-1', 'RS256');
  k2 = await makeKey('key-2', 'ES256');
  jwks = await startJwksServer([k1]);
  // Cooldown 0 so a rotated key is fetched at once; the default (30 s) protects the IdP in production.
  app = await startTestApp({ file: import.meta.url, jwksUrl: jwks.url, env: { JWKS_COOLDOWN_MS: '0', JWT_CLOCK_TOLERANCE_SECONDS: '5' } });
});

afterAll(async () => {
  await jwks?.close(); // the harness closes the app (startTestApp)
});

function b64url(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

async function expectRejected(token: string, reason: RegExp) {
  const res = await gql(app.url, VIEWER_QUERY, undefined, token);
  expect(res.status).toBe(401);
  expect(res.body.data ?? null).toBeNull();
  expect(res.body.errors).toHaveLength(1);
  expect(res.body.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
  expect(res.body.errors![0]!.message).toMatch(reason);
}

describe('bearer tokens verified against a remote JWKS', () => {
  test('a valid token is accepted and its roles are read', async () => {
    const token = await signToken(k1, { sub: 'alice', roles: ['OPERATOR', 'worker', 'NOT_A_ROLE'] });
    const res = await gql<{ viewer: { id: string; roles: string[] } }>(app.url, VIEWER_QUERY, undefined, token);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.viewer).toEqual({ id: 'alice', roles: ['OPERATOR', 'WORKER'] });
  });

  test('alg "none" is rejected', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64url({ alg: 'none', typ: 'JWT', kid: 'key-1' })}.${b64url({ sub: 'mallory', iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: now + 600, roles: ['ADMIN'] })}.`;
    await expectRejected(token, /not allowed|malformed|unsupported/);
  });

  test('HS256 signed with the public key as the HMAC secret is rejected', async () => {
    const pem = createPublicKey({ key: k1.publicJwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const token = await new SignJWT({ roles: ['ADMIN'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .setSubject('mallory')
      .setIssuer(TEST_ISSUER)
      .setAudience(TEST_AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(String(pem)));
    await expectRejected(token, /algorithm not allowed/);
  });

  test('a wrong issuer is rejected', async () => {
    await expectRejected(await signToken(k1, { issuer: 'https://evil.example' }), /iss/);
  });

  test('a wrong audience is rejected', async () => {
    await expectRejected(await signToken(k1, { audience: 'another-service' }), /aud/);
  });

  test('an expired token is rejected (beyond the clock tolerance)', async () => {
    await expectRejected(await signToken(k1, { expiresIn: -60 }), /expired/);
  });

  test('a token expired within the clock tolerance is still accepted', async () => {
    const res = await gql(app.url, VIEWER_QUERY, undefined, await signToken(k1, { expiresIn: -2 }));
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  // Verified tokens are kept for a while (a signature check per request is the largest part of a small
  // request's CPU); never past the token's own expiry. Real time is the subject here: about 7 s.
  test('a token accepted (and kept as verified) is refused once it expired beyond the tolerance', async () => {
    const token = await signToken(k1, { sub: 'brief', expiresIn: 1 });
    const exp = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    for (let i = 0; i < 2; i++) expect((await gql(app.url, VIEWER_QUERY, undefined, token)).status).toBe(200);
    const refusedFrom = (exp.exp + 5) * 1000 + 100; // exp plus this file's 5 s tolerance
    await new Promise((r) => setTimeout(r, Math.max(0, refusedFrom - Date.now())));
    await expectRejected(token, /expired/);
  }, 15_000);

  test('nbf in the future is rejected', async () => {
    await expectRejected(await signToken(k1, { notBefore: 120 }), /nbf/);
  });

  test('a token without exp is rejected', async () => {
    await expectRejected(await signToken(k1, { expiresIn: null }), /exp/);
  });

  test('a token without sub is rejected', async () => {
    await expectRejected(await signToken(k1, { sub: null }), /sub/);
  });

  test('a token whose kid is not in the JWKS is rejected', async () => {
    const stranger = await makeKey('key-unknown', 'RS256');
    await expectRejected(await signToken(stranger), /no key matches/);
  });

  test('a token signed by a key that claims a known kid is rejected', async () => {
    const forger = await makeKey('key-1', 'RS256');
    await expectRejected(await signToken(forger), /signature verification failed/);
  });

  test.each([
    ['garbage', 'not-a-jwt'],
    ['three garbage parts', 'aaa.bbb.ccc'],
    ['truncated', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0'],
  ])('a malformed token (%s) is rejected', async (_name, token) => {
    await expectRejected(token, /malformed|invalid/);
  });

  test('an Authorization header that is not a bearer token is rejected', async () => {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' },
      body: JSON.stringify({ query: VIEWER_QUERY }),
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  test('a rotated key is accepted once the JWKS publishes it', async () => {
    const token = await signToken(k2, { sub: 'rotated', roles: ['ADMIN'] });
    await expectRejected(token, /no key matches/);
    jwks.setKeys([k1, k2]);
    const fetchesBefore = jwks.fetches;
    const res = await gql<{ viewer: { id: string; roles: string[] } }>(app.url, VIEWER_QUERY, undefined, token);
    expect(res.status).toBe(200);
    expect(res.body.data!.viewer).toEqual({ id: 'rotated', roles: ['ADMIN'] });
    expect(jwks.fetches).toBeGreaterThan(fetchesBefore);
  });
});

describe('roles', () => {
  test('no token: UNAUTHENTICATED from the field, not a 500', async () => {
    const res = await gql(app.url, VIEWER_QUERY);
    expect(res.body.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.body.data ?? null).toBeNull();
  });

  test('a VIEWER may not read the ADMIN-only service status; an ADMIN may', async () => {
    const q = '{ serviceStatus { version backends { name up } } }';
    const denied = await gql(app.url, q, undefined, await signToken(k1, { roles: ['VIEWER'] }));
    expect(denied.body.errors![0]!.extensions?.code).toBe('FORBIDDEN');
    const allowed = await gql<{ serviceStatus: { backends: Array<{ name: string; up: boolean }> } }>(
      app.url,
      q,
      undefined,
      await signToken(k1, { roles: ['ADMIN'] }),
    );
    expect(allowed.body.errors).toBeUndefined();
    expect(allowed.body.data!.serviceStatus.backends).toEqual([
      { name: 'mongodb', up: true },
      { name: 'redis', up: true },
    ]);
  });
});
