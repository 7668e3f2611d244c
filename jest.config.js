/**
 * Jest runs the TypeScript sources as native ES modules (jose, graphql-ws and
 * @apollo/server are ESM-first). Type checking is a separate step of the test
 * command (`tsc --noEmit`), so ts-jest only transpiles here.
 * @type {import('jest').Config}
 */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  setupFilesAfterEnv: ['<rootDir>/test/harness/setup.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
