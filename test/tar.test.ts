import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listTarEntries, TarError } from '../src/datasets/tar.js';

/** listTarEntries against archives written by the real GNU tar, in every format it writes. */

let root: string;
let seq = 0;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'tar-test-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh folder holding `files` (relative path → content); folders are made as needed. */
function tree(files: Record<string, string>): string {
  const dir = path.join(root, `src-${++seq}`);
  mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

/** Runs GNU tar; returns the archive path. */
function tar(dir: string, args: string[] = [], what = '.'): string {
  const out = path.join(root, `archive-${++seq}.tar`);
  execFileSync('tar', [...args, '-cf', out, '-C', dir, what], { stdio: 'pipe' });
  return out;
}

/** What GNU tar itself lists, for comparison. */
function gnuList(file: string): string[] {
  return execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

const sorted = (a: string[]) => [...a].sort();

/** A relative path longer than 100 characters (too long for the ustar name field alone). */
const LONG_DIR = `${'a'.repeat(60)}/${'b'.repeat(60)}`;
const LONG_FILE = `${LONG_DIR}/${'c'.repeat(20)}.json`;

beforeAll(() => {
  expect(execFileSync('tar', ['--version'], { encoding: 'utf8' })).toMatch(/GNU tar/);
});

describe('listTarEntries on archives made by GNU tar', () => {
  test('default format: every entry, with the ./ prefix tar writes', async () => {
    const dir = tree({ 'chunks/part-0': 'x', 'chunks/part-1': 'yy', 'DS_A.json': '{}' });
    const file = tar(dir);
    const names = await listTarEntries(file);
    expect(sorted(names)).toEqual(['./', './DS_A.json', './chunks/', './chunks/part-0', './chunks/part-1']);
    expect(sorted(names)).toEqual(sorted(gnuList(file)));
  });

  test('entries whose contents span several blocks are skipped over correctly', async () => {
    const dir = tree({ 'big.bin': 'z'.repeat(512 * 7 + 13), 'exact.bin': 'e'.repeat(1024), 'empty.bin': '', 'after.txt': 'after' });
    const file = tar(dir);
    expect(sorted(await listTarEntries(file))).toEqual(['./', './after.txt', './big.bin', './empty.bin', './exact.bin']);
  });

  test('many entries of mixed sizes, headers on both sides of every 64 KiB read, and long names among them: the same list as GNU tar', async () => {
    // Sizes from 0 to 70 KiB (a deterministic spread), so some headers sit in the same read window, some
    // straddle its end, and some entries are larger than a whole window.
    const files: Record<string, string> = {};
    for (let i = 0; i < 400; i++) files[`chunks/part-${i}`] = 'x'.repeat((i * 7919) % (70 * 1024));
    files[`${LONG_DIR}/deep.json`] = '{}';
    for (const format of ['gnu', 'pax']) {
      const file = tar(tree(files), [`--format=${format}`]);
      const names = await listTarEntries(file);
      expect(names).toHaveLength(gnuList(file).length);
      expect(sorted(names)).toEqual(sorted(gnuList(file)));
    }
  });

  test('--format=ustar: a path over 100 characters is split into prefix and name', async () => {
    const dir = tree({ [LONG_FILE]: '{}' });
    const file = tar(dir, ['--format=ustar']);
    const names = await listTarEntries(file);
    expect(names).toContain(`./${LONG_FILE}`);
    expect(sorted(names)).toEqual(sorted(gnuList(file)));
  });

  test('--format=gnu: a path over 100 characters uses a GNU long name (L) entry', async () => {
    const dir = tree({ [LONG_FILE]: '{}', 'short.txt': 's' });
    const file = tar(dir, ['--format=gnu']);
    // The archive really holds a ././@LongLink header for the long name.
    expect(execFileSync('grep', ['-c', '././@LongLink', file], { encoding: 'utf8' }).trim()).not.toBe('0');
    const names = await listTarEntries(file);
    expect(names).toContain(`./${LONG_FILE}`);
    expect(names).not.toContain('././@LongLink');
    expect(sorted(names)).toEqual(sorted(gnuList(file)));
  });

  test('--format=gnu with a long symlink target (K entry): the K header is not listed as an entry', async () => {
    const dir = tree({ 'real.txt': 'r' });
    symlinkSync(`/some/where/${'t'.repeat(150)}`, path.join(dir, 'link'));
    const file = tar(dir, ['--format=gnu']);
    const names = await listTarEntries(file);
    expect(sorted(names)).toEqual(['./', './link', './real.txt']);
    expect(sorted(names)).toEqual(sorted(gnuList(file)));
  });

  test('--format=gnu --incremental: atime/ctime in the old GNU header are not read as a ustar prefix', async () => {
    const dir = tree({ 'chunks/a': 'a', 'DS_B.json': '{}' });
    const file = tar(dir, ['--format=gnu', '--incremental']);
    const names = await listTarEntries(file);
    expect(sorted(names)).toEqual(sorted(gnuList(file)));
    expect(names).toContain('./DS_B.json');
    expect(names).toContain('./chunks/a');
  });

  test('--format=pax: a path over 100 characters comes from the pax path record (x)', async () => {
    const dir = tree({ [LONG_FILE]: '{}', [`${'d'.repeat(250)}.txt`]: 'long single component' });
    const file = tar(dir, ['--format=pax']);
    const names = await listTarEntries(file);
    expect(names).toContain(`./${LONG_FILE}`);
    expect(names).toContain(`./${'d'.repeat(250)}.txt`);
    expect(names.some((n) => n.includes('PaxHeaders'))).toBe(false);
    expect(sorted(names)).toEqual(sorted(gnuList(file)));
  });

  test('--format=pax: a global header (g) is not an entry', async () => {
    const dir = tree({ 'one.txt': '1' });
    const file = tar(dir, ['--format=pax', '--pax-option=globexthdr.name=GLOBAL,comment=hello']);
    expect(sorted(await listTarEntries(file))).toEqual(['./', './one.txt']);
  });

  // pax record lengths are byte counts: a non-ASCII path must not swallow the records after it.
  test('--format=pax: a non-ASCII path comes back intact', async () => {
    const dir = tree({ [`${'ü'.repeat(60)}/file.txt`]: 'u' });
    const file = tar(dir, ['--format=pax']);
    expect(sorted(await listTarEntries(file))).toEqual(sorted(gnuList(file)));
  });

  test('entries under a top folder (tar -C parent NAME)', async () => {
    const dir = tree({ 'DS_C/chunks/a': 'a', 'DS_C/DS_C.json': '{}' });
    const file = tar(dir, [], 'DS_C');
    expect(sorted(await listTarEntries(file))).toEqual(['DS_C/', 'DS_C/DS_C.json', 'DS_C/chunks/', 'DS_C/chunks/a']);
  });

  test('maxEntries bounds the listing', async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 10; i++) files[`f${i}`] = String(i);
    const file = tar(tree(files));
    expect(await listTarEntries(file, 3)).toHaveLength(3);
  });
});

describe('what is not a tar', () => {
  test('random bytes throw TarError', async () => {
    const file = path.join(root, 'random.tar');
    writeFileSync(file, randomBytes(4096));
    await expect(listTarEntries(file)).rejects.toBeInstanceOf(TarError);
  });

  test('a text file longer than one block throws TarError', async () => {
    const file = path.join(root, 'notes-long.txt');
    writeFileSync(file, 'These are notes, not an archive.\n'.repeat(100));
    await expect(listTarEntries(file)).rejects.toBeInstanceOf(TarError);
  });

  test('a text file shorter than one block throws TarError', async () => {
    const file = path.join(root, 'notes-short.txt');
    writeFileSync(file, 'hello\n');
    await expect(listTarEntries(file)).rejects.toThrow(TarError);
  });

  test('a tar header with a corrupted checksum throws TarError', async () => {
    const file = tar(tree({ 'x.txt': 'x' }));
    const bytes = execFileSync('cat', [file]);
    bytes[0] = bytes[0]! ^ 0x01; // first byte of the first entry's name
    const broken = path.join(root, 'broken.tar');
    writeFileSync(broken, bytes);
    await expect(listTarEntries(broken)).rejects.toThrow(/checksum/);
  });

  test('a missing file rejects with ENOENT, not TarError', async () => {
    await expect(listTarEntries(path.join(root, 'nope.tar'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('empty archives', () => {
  test('a 0-byte file has no entries: [] (no header to misread; GNU tar 1.34 rejects it instead, either is safe)', async () => {
    const file = path.join(root, 'zero.tar');
    writeFileSync(file, '');
    await expect(listTarEntries(file)).resolves.toEqual([]);
  });

  test('an empty archive written by tar (only end-of-archive blocks) is []', async () => {
    const file = path.join(root, 'empty-archive.tar');
    execFileSync('tar', ['-cf', file, '-T', '/dev/null']);
    expect(gnuList(file)).toEqual([]);
    await expect(listTarEntries(file)).resolves.toEqual([]);
  });
});
