import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  test('production refuses to start without its backends and JWKS settings, listing every one', () => {
    let error: unknown;
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    for (const key of ['MONGODB_URI', 'REDIS_URL', 'JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE']) {
      expect(problems.some((p) => p.startsWith(key))).toBe(true);
    }
  });

  test('every malformed value is reported at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', MONGODB_URI: 'http://not-mongo' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/LOG_LEVEL/);
    expect(problems).toMatch(/MONGODB_URI/);
  });

  test('symmetric algorithms cannot be allowed', () => {
    expect(() => loadConfig({ JWT_ALGORITHMS: 'RS256,HS256' })).toThrow(/HS256/);
  });

  test('defaults: embedded backends and the dev issuer, loopback only', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.host).toBe('127.0.0.1');
    expect(c.mongoUri).toBeUndefined();
    expect(c.auth.devIssuer).toBe(true);
    expect(c.introspection).toBe(true);
  });

  test('a complete production configuration is accepted, introspection off, replica-set URIs allowed', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      MONGODB_URI: 'mongodb://db1:27017,db2:27017,db3:27017/jobs?replicaSet=rs0',
      REDIS_URL: 'redis://cache:6379',
      JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      JWT_ISSUER: 'https://idp.example/',
      JWT_AUDIENCE: 'job-service',
    });
    expect(c.host).toBe('0.0.0.0');
    expect(c.auth.devIssuer).toBe(false);
    expect(c.introspection).toBe(false);
  });
});
