// Fails when src/generated/graphql.ts differs from what codegen makes of schema/*.graphql now.
import { readFileSync } from 'node:fs';
import { generate, loadCodegenConfig } from '@graphql-codegen/cli';

const { config } = await loadCodegenConfig({ configFilePath: 'codegen.ts' });
const outputs = await generate({ ...config, silent: true, cwd: process.cwd() }, false);
let drift = 0;
for (const { filename, content } of outputs) {
  let current = '';
  try {
    current = readFileSync(filename, 'utf8');
  } catch {
    // missing counts as drift
  }
  if (current !== content) {
    console.error(`codegen drift: ${filename} is not what schema/*.graphql generates. Run: npm run codegen`);
    drift++;
  }
}
if (drift === 0) console.log(`codegen: ${outputs.length} generated file(s) match the schema`);
process.exit(drift === 0 ? 0 : 1);
