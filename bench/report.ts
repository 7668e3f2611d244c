import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Cost, Summary } from './load.js';

/** A target's mark: PASS or FAIL on a measured figure; NOT MEASURED when there was no sample (never PASS). */
export type Verdict = 'PASS' | 'FAIL' | 'NOT MEASURED';

/** One printed line: a figure, what it is compared with, and its target mark. */
export interface Row {
  scenario: string;
  figure: string;
  value: string;
  compare?: string;
  ratio?: string;
  target?: string;
  verdict?: Verdict;
}

/** A figure; NaN (nothing finished, nothing sampled) prints as "no sample", never as 0. */
export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'no sample');
export const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);
export const verdict = (figure: number, ok: (x: number) => boolean): Verdict => (!Number.isFinite(figure) ? 'NOT MEASURED' : ok(figure) ? 'PASS' : 'FAIL');

/** A summary's rate, or why it has none. */
export function rate(s: Summary): string {
  return s.emptyPasses > 0 ? `slower than the pass (no request finished in ${s.passSeconds} s, ${s.emptyPasses} pass${s.emptyPasses > 1 ? 'es' : ''})` : fmt(s.perSecond);
}

/** MongoDB commands per operation, with the commands by name: "3.00 (find 1.00, update 2.00)". */
export function mongoFigure(c: Cost): string {
  const parts = Object.entries(c.mongoByName)
    .filter(([, v]) => Number.isFinite(v) && v > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${fmt(v, 2)}`);
  return `${fmt(c.mongo, 2)}${parts.length ? ` (${parts.join(', ')})` : ''}`;
}

/** Redis round trips per operation, with the commands they carried: "4.00 (6.00 commands)". */
export function redisFigure(c: Cost): string {
  return `${fmt(c.redisRoundTrips, 2)} (${fmt(c.redisCommands, 2)} commands)`;
}

export function markdownTable(rows: Row[]): string {
  const head = '| scenario | figure | service | reference / ceiling | ratio | target | |';
  const sep = '|---|---|---:|---:|---:|---|---|';
  const lines = rows.map((r) => `| ${r.scenario} | ${r.figure} | ${r.value} | ${r.compare ?? ''} | ${r.ratio ?? ''} | ${r.target ?? ''} | ${r.verdict ?? ''} |`);
  return [head, sep, ...lines].join('\n');
}

/** Target rows passed and failed; NOT MEASURED counts as failed. */
export function tally(rows: Row[]): { passed: number; failed: number } {
  const marked = rows.filter((r) => r.verdict);
  const passed = marked.filter((r) => r.verdict === 'PASS').length;
  return { passed, failed: marked.length - passed };
}

export function writeResults(dir: string, data: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
