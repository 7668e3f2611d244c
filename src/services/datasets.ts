import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { listTarEntries } from '../datasets/tar.js';
import type { Logger } from '../logger.js';
import { DATASET_NAME } from './jobRules.js';
import { userError, type UserError } from './userErrors.js';

export interface ImportableDatasetView {
  name: string;
  hasData: boolean;
  hasMetadata: boolean;
  isArchived: boolean;
  sizeBytes: number;
  modifiedAt: Date;
}

/** Entry names inside a tar, without "./" and trailing "/", and without a leading "<NAME>/" folder. */
function normalize(entry: string, name: string): string {
  let e = entry.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (e.startsWith(`${name}/`)) e = e.slice(name.length + 1);
  return e;
}

/**
 * Importable datasets: `<NAME>.tar` files in INPUT_DIR and INPUT_DIR/archive.
 * hasData: the tar has a `chunks` entry; hasMetadata: it has `<NAME>.json`
 * (at the top, or inside a `<NAME>/` folder).
 */
export class DatasetService {
  constructor(
    private readonly inputDir: string,
    private readonly logger: Logger,
  ) {}

  async list(): Promise<ImportableDatasetView[]> {
    const [top, archived] = await Promise.all([this.scan(this.inputDir, false), this.scan(path.join(this.inputDir, 'archive'), true)]);
    return [...top, ...archived].sort((a, b) => a.name.localeCompare(b.name) || Number(a.isArchived) - Number(b.isArchived));
  }

  private async scan(dir: string, isArchived: boolean): Promise<ImportableDatasetView[]> {
    let files: string[];
    try {
      files = await readdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: ImportableDatasetView[] = [];
    for (const file of files) {
      if (!file.endsWith('.tar')) continue;
      const name = file.slice(0, -4);
      if (!DATASET_NAME.test(name)) continue;
      const full = path.join(dir, file);
      const info = await stat(full).catch(() => null);
      if (!info?.isFile()) continue;
      let entries: string[] = [];
      try {
        entries = (await listTarEntries(full)).map((e) => normalize(e, name));
      } catch (err) {
        this.logger.warn({ file, err: (err as Error).message }, 'unreadable importable dataset');
      }
      out.push({
        name,
        hasData: entries.some((e) => e === 'chunks' || e.startsWith('chunks/')),
        hasMetadata: entries.includes(`${name}.json`),
        isArchived,
        sizeBytes: info.size,
        modifiedAt: info.mtime,
      });
    }
    return out;
  }

  /** Deletes INPUT_DIR/<NAME>.tar only (never the archive). The name rule rules out any path escape. */
  async delete(name: string): Promise<{ deletedName: string | null; userErrors: UserError[] }> {
    if (!DATASET_NAME.test(name)) {
      return { deletedName: null, userErrors: [userError('INVALID_NAME', 'a dataset name: [A-Z0-9_], not starting with a digit or _', ['input', 'name'])] };
    }
    const file = path.join(this.inputDir, `${name}.tar`);
    if (path.dirname(file) !== this.inputDir) throw new Error('dataset path escaped the input directory');
    try {
      const info = await stat(file);
      if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      await unlink(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { deletedName: null, userErrors: [userError('NOT_FOUND', `no ${name}.tar in the input directory`, ['input', 'name'])] };
      }
      throw err;
    }
    return { deletedName: name, userErrors: [] };
  }
}
