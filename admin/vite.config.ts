import { defineConfig } from 'vite';

/**
 * The admin app: built into dist/admin and served by the service at /admin
 * (src/admin.ts). Preact's JSX runtime, no framework plugin needed.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/admin',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
  },
  // `npm run admin:dev`: Vite's dev server with /graphql (HTTP and WebSocket) proxied to a running service.
  server: {
    proxy: { '/graphql': { target: process.env.JOB_SERVICE_URL ?? 'http://127.0.0.1:4000', ws: true } },
  },
});
