import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startAppWithIssuer } from './harness/app.js';

/** How the service serves the built admin app at /admin (a stand-in build in a temporary folder). */
const dir = mkdtempSync(path.join(os.tmpdir(), 'admin-static-'));
const script = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;
mkdirSync(path.join(dir, 'assets'));
writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>admin</title><script type="module" src="/admin/assets/index-abc123.js"></script>');
writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), script);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let url: string;
let missingUrl: string;

beforeAll(async () => {
  url = (await startAppWithIssuer({ file: import.meta.url, env: { ADMIN_DIR: dir } })).app.url;
  missingUrl = (await startAppWithIssuer({ file: import.meta.url, env: { ADMIN_DIR: path.join(dir, 'not-built') } })).app.url;
});

describe('/admin', () => {
  test('app routes get index.html with a strict CSP and no caching; / and /admin lead there', async () => {
    for (const p of ['/admin/', '/admin/jobs', '/admin/jobs/65f000000000000000000001', '/admin/maintenance?x=1']) {
      const res = await fetch(url + p);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(await res.text()).toContain('<title>admin</title>');
    }
    const root = await fetch(`${url}/`, { redirect: 'manual' });
    expect([root.status, root.headers.get('location')]).toEqual([302, '/admin/']);
    const bare = await fetch(`${url}/admin`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([308, '/admin/']);
  });

  test('hashed assets are cached for a year, gzipped when accepted, and answer 304 to their ETag', async () => {
    const plain = await fetch(`${url}/admin/assets/index-abc123.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toBe(script);

    // Node's fetch would decompress on its own; read the raw bytes with a plain HTTP request instead.
    const { request } = await import('node:http');
    const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
      request(`${url}/admin/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip, br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.body.length).toBeLessThan(script.length / 10);
    expect(gunzipSync(raw.body).toString()).toBe(script);

    const again = await fetch(`${url}/admin/assets/index-abc123.js`, { headers: { 'if-none-match': plain.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  test('a missing asset is a 404, not the app', async () => {
    for (const p of ['/admin/assets/gone-123.js', '/admin/favicon.ico', '/admin/../../etc/passwd', '/admin/%2e%2e/package.json']) {
      const res = await fetch(url + p);
      expect([p, res.status]).toEqual([p, 404]);
      expect(await res.text()).not.toContain('<title>admin</title>');
    }
  });

  test('without a build, /admin says how to make one', async () => {
    const res = await fetch(`${missingUrl}/admin/jobs`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('npm run build');
  });
});
