import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** One printed line: a figure, what it is compared with, and its target mark (never a process failure). */
export interface Row {
  scenario: string;
  figure: string;
  value: string;
  compare?: string;
  ratio?: string;
  target?: string;
  /** true pass, false short, undefined: no target. */
  met?: boolean;
}

export const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');
export const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

export function markdownTable(rows: Row[]): string {
  const head = '| scenario | figure | service | reference / ceiling | ratio | target | |';
  const sep = '|---|---|---:|---:|---:|---|---|';
  const lines = rows.map((r) => `| ${r.scenario} | ${r.figure} | ${r.value} | ${r.compare ?? ''} | ${r.ratio ?? ''} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'PASS' : 'SHORT'} |`);
  return [head, sep, ...lines].join('\n');
}

export function writeResults(dir: string, data: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
