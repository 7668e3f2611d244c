/**
 * Jest runs the TypeScript sources as native ES modules (jose, graphql-ws and
 * @apollo/server are ESM-first). Type checking is a separate step of the test
 * command (`tsc --noEmit`), so ts-jest only transpiles here.
 *
 * This is the quick suite (`npm test`): every behaviour check. The long runs
 * (test/**\/*.soak.test.ts: thousands of jobs, 1,000-subscriber bursts) are
 * left to `npm run soak` (jest.soak.config.js).
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.soak\\.test\\.ts$'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  setupFilesAfterEnv: ['<rootDir>/test/harness/setup.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
