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

/** What a tar holds, read once per version of the file. */
interface TarFlags {
  /** Identity of the version read: inode, size and modification time. */
  version: string;
  hasData: boolean;
  hasMetadata: boolean;
}

/**
 * Importable datasets: `<NAME>.tar` files in INPUT_DIR and INPUT_DIR/archive.
 * hasData: the tar has a `chunks` entry; hasMetadata: it has `<NAME>.json`
 * (at the top, or inside a `<NAME>/` folder).
 *
 * Reading a tar's entries walks every header (a dataset of chunks can have
 * thousands), so the flags are kept per file and read again only when
 * the file's inode, size or modification time changes. Every listing still
 * reads the folders and stats every file, so a new, replaced or deleted file
 * shows on the next query.
 */
export class DatasetService {
  private readonly flags = new Map<string, TarFlags>();
  /** Tars whose entries were read (not taken from the cache) so far; tests assert the cache with it. */
  tarsRead = 0;

  constructor(
    private readonly inputDir: string,
    private readonly logger: Logger,
  ) {}

  async list(): Promise<ImportableDatasetView[]> {
    const seen = new Set<string>();
    const [top, archived] = await Promise.all([this.scan(this.inputDir, false, seen), this.scan(path.join(this.inputDir, 'archive'), true, seen)]);
    for (const file of this.flags.keys()) if (!seen.has(file)) this.flags.delete(file); // gone: forget it
    return [...top, ...archived].sort((a, b) => a.name.localeCompare(b.name) || Number(a.isArchived) - Number(b.isArchived));
  }

  private async scan(dir: string, isArchived: boolean, seen: Set<string>): Promise<ImportableDatasetView[]> {
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
      seen.add(full);
      const { hasData, hasMetadata } = await this.tarFlags(full, name, `${info.ino}:${info.size}:${info.mtimeMs}`);
      out.push({ name, hasData, hasMetadata, isArchived, sizeBytes: info.size, modifiedAt: info.mtime });
    }
    return out;
  }

  private async tarFlags(file: string, name: string, version: string): Promise<TarFlags> {
    const known = this.flags.get(file);
    if (known?.version === version) return known;
    this.tarsRead++;
    let entries: string[] = [];
    try {
      entries = (await listTarEntries(file)).map((e) => normalize(e, name));
    } catch (err) {
      this.logger.warn({ file: path.basename(file), err: (err as Error).message }, 'unreadable importable dataset');
    }
    const flags = { version, hasData: entries.some((e) => e === 'chunks' || e.startsWith('chunks/')), hasMetadata: entries.includes(`${name}.json`) };
    this.flags.set(file, flags);
    return flags;
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
