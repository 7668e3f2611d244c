import { loadDevIssuer } from '../auth/devIssuer.js';
import { ROLES, type Role } from '../auth/principal.js';
import { ConfigError, loadConfig } from '../config.js';

/**
 * Mints a dev token signed by the local issuer (the key under DATA_DIR that
 * the service in dev mode serves as its JWKS).
 *   npm run -s token -- ADMIN [--sub alice] [--ttl 3600]
 *   npm run -s token -- VIEWER SUBMITTER
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const roles: Role[] = [];
  let sub = 'dev-user';
  let ttl = 12 * 3600;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--sub') sub = args[++i] ?? sub;
    else if (a === '--ttl') ttl = Number(args[++i]);
    else if ((ROLES as readonly string[]).includes(a.toUpperCase())) roles.push(a.toUpperCase() as Role);
    else {
      process.stderr.write(`unknown argument "${a}". Usage: npm run -s token -- ROLE... [--sub NAME] [--ttl SECONDS]; roles: ${ROLES.join(' ')}\n`);
      process.exit(2);
    }
  }
  if (roles.length === 0 || !Number.isInteger(ttl) || ttl <= 0) {
    process.stderr.write(`Usage: npm run -s token -- ROLE... [--sub NAME] [--ttl SECONDS]; roles: ${ROLES.join(' ')}\n`);
    process.exit(2);
  }
  const config = loadConfig();
  if (!config.auth.devIssuer) {
    process.stderr.write('JWKS_URL is set: tokens come from your identity provider, not from the dev issuer.\n');
    process.exit(1);
  }
  const issuer = await loadDevIssuer(config.dataDir, config.auth.issuer, config.auth.audience);
  process.stdout.write(`${await issuer.mint({ sub, roles, ttlSeconds: ttl })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(1);
});
