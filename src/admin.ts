import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from './logger.js';
import type { AppFastify } from './server.js';

/**
 * Serves the built admin app (admin/ → dist/admin by `npm run build`) at /admin from
 * memory: hashed assets cached for a year, index.html for every app route (history
 * routing), gzip when the client takes it, and a strict Content-Security-Policy.
 */

interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function load(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      const full = path.join(dir, rel);
      if (statSync(full).isDirectory()) {
        walk(rel);
        continue;
      }
      const body = readFileSync(full);
      const type = TYPES[path.extname(name)] ?? 'application/octet-stream';
      const compressible = /^(text\/|image\/svg|application\/json)/.test(type) && body.length > 1024;
      files.set(rel, {
        body,
        gzip: compressible ? gzipSync(body, { level: 9 }) : null,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      });
    }
  };
  walk('');
  return files;
}

export function registerAdmin(fastify: AppFastify, dir: string | null, logger: Logger): void {
  if (dir === null) return;
  const files = existsSync(path.join(dir, 'index.html')) ? load(dir) : null;
  if (!files) logger.warn({ dir }, 'admin app not built: /admin answers 404 until `npm run build` makes it');

  const send = (request: FastifyRequest, reply: FastifyReply, file: StaticFile, cache: string) => {
    void reply
      .header('content-type', file.type)
      .header('cache-control', cache)
      .header('etag', file.etag)
      .header('vary', 'accept-encoding')
      .header('x-content-type-options', 'nosniff');
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    const gzip = file.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    if (gzip) void reply.header('content-encoding', 'gzip');
    return reply.send(gzip ? file.gzip : file.body);
  };

  const handler = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    if (!files) {
      return reply.code(404).type('text/plain; charset=utf-8').send('The admin app is not built. Run `npm run build`, then restart the service.\n');
    }
    const rel = request.params['*'] ?? '';
    const asset = rel && files.get(rel);
    if (asset) return send(request, reply, asset, rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    // A missing file (a path with an extension, or under assets/) is a 404, not the app.
    if (rel.startsWith('assets/') || /\.[a-z0-9]+$/i.test(rel)) return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
    void reply.header('content-security-policy', CSP).header('referrer-policy', 'no-referrer').header('x-frame-options', 'DENY');
    return send(request, reply, files.get('index.html')!, 'no-cache');
  };

  fastify.get('/', (_request, reply) => reply.redirect('/admin/', 302));
  fastify.get('/admin', (_request, reply) => reply.redirect('/admin/', 308));
  fastify.get('/admin/*', handler);
}
