// Runs every test of the given files alone (a jest process per test, `-t` with its full name), so a test
// that leans on what an earlier one left fails here. Without arguments: the files that once had order
// dependencies. Ends with one line: "N passed, N failed". Run after `npm run build` (scripts/test.sh does).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ['test/maintenance.test.ts', 'test/workers.test.ts', 'test/subscriptions.test.ts', 'test/server.test.ts', 'test/flows.test.ts'];
const env = { ...process.env, NODE_OPTIONS: `--experimental-vm-modules ${process.env.NODE_OPTIONS ?? ''}` };
const dir = mkdtempSync(path.join(os.tmpdir(), 'test-alone-'));
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function jest(args, report) {
  rmSync(report, { force: true });
  spawnSync('npx', ['jest', ...args, '--json', `--outputFile=${report}`], { env, stdio: 'ignore' });
  try {
    return JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    return null;
  }
}

let passed = 0;
let failed = 0;
for (const file of files) {
  // The names, from a run of the whole file.
  const all = jest([file], path.join(dir, 'all.json'));
  const names = all?.testResults.flatMap((t) => t.assertionResults.map((a) => a.fullName)) ?? [];
  if (names.length === 0) {
    console.error(`${file}: no tests found`);
    failed++;
    continue;
  }
  for (const name of names) {
    const r = jest([file, '-t', `^${escape(name)}$`], path.join(dir, 'one.json'));
    const ok = r !== null && r.numPassedTests === 1 && r.numFailedTests === 0 && r.numRuntimeErrorTestSuites === 0;
    console.error(`${ok ? 'PASS' : 'FAIL'} alone: ${path.basename(file)} › ${name}`);
    if (!ok) for (const t of r?.testResults ?? []) console.error(t.message || t.assertionResults.flatMap((a) => a.failureMessages).join('\n'));
    if (ok) passed++;
    else failed++;
  }
}
rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
