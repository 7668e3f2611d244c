import quick from './jest.config.js';

/**
 * The soak runs (`npm run soak`): test/**\/*.soak.test.ts only, same harness as
 * the quick suite. Each test sets its own time-out; scripts/soak.sh bounds the whole run.
 * @type {import('jest').Config}
 */
export default {
  ...quick,
  testMatch: ['**/*.soak.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 300_000,
};
