import { hasRole, rolesFromClaims } from '../src/auth/principal.js';
import { gql, startAppWithIssuer } from './harness/app.js';
import { signToken } from './harness/jwks.js';

describe('roles claim', () => {
  test('roles are read from a configurable, nested claim', async () => {
    const { app, key } = await startAppWithIssuer({ file: import.meta.url, env: { JWT_ROLES_CLAIM: 'realm_access.roles' } });
    const token = await signToken(key, { roles: ['ADMIN'], extra: { realm_access: { roles: ['submitter'] } } });
    const res = await gql<{ viewer: { roles: string[] } }>(app.url, '{ viewer { roles } }', undefined, token);
    expect(res.body.data!.viewer.roles).toEqual(['SUBMITTER']);
  });

  test('space-separated strings and unknown names', () => {
    expect(rolesFromClaims({ scope: 'viewer admin other' }, 'scope')).toEqual(['VIEWER', 'ADMIN']);
    expect(rolesFromClaims({ roles: 42 }, 'roles')).toEqual([]);
    expect(rolesFromClaims({}, 'roles')).toEqual([]);
  });

  test('people roles are ranked; WORKER may read but not operate', () => {
    const p = (roles: Parameters<typeof hasRole>[0]['roles']) => ({ id: 'x', roles, expiresAt: new Date() });
    expect(hasRole(p(['ADMIN']), 'VIEWER')).toBe(true);
    expect(hasRole(p(['ADMIN']), 'OPERATOR')).toBe(true);
    expect(hasRole(p(['SUBMITTER']), 'OPERATOR')).toBe(false);
    expect(hasRole(p(['WORKER']), 'VIEWER')).toBe(true);
    expect(hasRole(p(['WORKER']), 'SUBMITTER')).toBe(false);
    expect(hasRole(p(['ADMIN']), 'WORKER')).toBe(false);
    expect(hasRole(p([]), 'VIEWER')).toBe(false);
  });
});
