import { stopBackends } from './backends.js';

// Runs in every test file (jest setupFilesAfterEnv): stop the file's backends after its last test.
afterAll(async () => {
  await stopBackends();
});
