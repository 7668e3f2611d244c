import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../src/logger.js';
import { DatasetService } from '../src/services/datasets.js';

/**
 * `npm run bench:datasets`: how long `importableDatasets` takes to read the tars of an input folder.
 * Builds BENCH_TARS (default 10) tars with GNU tar, each of BENCH_CHUNKS (default 5,000) small chunk
 * files plus its metadata, in a temporary folder, then lists them 5 times: the first listing reads every
 * tar, the others find nothing changed.
 */
const tars = Number(process.env.BENCH_TARS ?? 10);
const chunks = Number(process.env.BENCH_CHUNKS ?? 5000);
const root = mkdtempSync(path.join(os.tmpdir(), 'bench-datasets-'));
try {
  const src = path.join(root, 'src');
  const input = path.join(root, 'input');
  mkdirSync(path.join(src, 'chunks'), { recursive: true });
  mkdirSync(input);
  for (let i = 0; i < chunks; i++) writeFileSync(path.join(src, 'chunks', `part-${i}`), `chunk ${i}\n`);
  for (let t = 0; t < tars; t++) {
    const name = `DATASET_${t}`;
    writeFileSync(path.join(src, `${name}.json`), '{}');
    execFileSync('tar', ['-cf', path.join(input, `${name}.tar`), '-C', src, '.']);
  }
  const service = new DatasetService(input, createLogger('warn', 'bench'));
  for (let i = 1; i <= 5; i++) {
    const started = performance.now();
    const listed = await service.list();
    const ms = performance.now() - started;
    process.stdout.write(`listing ${i}: ${listed.length} tars of ${chunks + 2} entries in ${ms.toFixed(1)} ms (tars read so far: ${service.tarsRead})\n`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
