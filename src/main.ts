import { startApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { RedisClusterError } from './db/redis.js';
import { MissingBinaryError } from './embedded/launcher.js';
import { createLogger } from './logger.js';

/** Entry point: `node dist/src/main.js` (see scripts/start.sh). */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`job-service: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let app;
  try {
    app = await startApp(config, logger);
  } catch (err) {
    if (err instanceof MissingBinaryError || err instanceof RedisClusterError) {
      process.stderr.write(`job-service: ${err.message}\n`);
      process.exit(1);
    }
    logger.fatal({ err }, 'start-up failed');
    process.exit(1);
  }

  const lines = [`job-service ready: GraphQL at ${app.url}/graphql (WebSocket on the same URL), health at ${app.url}/healthz and /readyz`];
  if (app.devIssuer) {
    // The token travels in the URL fragment, which browsers never send to the server; the app moves it to session storage.
    const adminToken = await app.devIssuer.mint({ sub: 'dev-admin', roles: ['ADMIN'] });
    lines.push(
      `admin app (signed in as ADMIN for 12 h): ${app.url}/admin/#token=${adminToken}`,
      `dev tokens: npm run token -- ADMIN   (roles: VIEWER SUBMITTER OPERATOR ADMIN WORKER; signed by the local issuer under ${config.dataDir})`,
      `then: curl -s ${app.url}/graphql -H "authorization: Bearer $(npm run -s token -- ADMIN)" -H 'content-type: application/json' -d '{"query":"{ viewer { id roles } }"}'`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let signalled = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (signalled) return;
    signalled = true;
    logger.info({ signal }, 'shutting down');
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown did not finish cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

void main();
