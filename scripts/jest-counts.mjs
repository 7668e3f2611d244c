// Prints "<passed> <failed>" from a jest --json report (failed counts suites that could not run);
// "0 1" when the report is missing or unreadable (jest was stopped or crashed).
import { readFileSync } from 'node:fs';

try {
  const r = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites);
} catch {
  console.log(0, 1);
}
