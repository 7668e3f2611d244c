import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from '../src/app.js';
import { gql, startAppWithIssuer } from './harness/app.js';
import { roleTokens, signToken, type TestKey } from './harness/jwks.js';

interface Dataset {
  name: string;
  hasData: boolean;
  hasMetadata: boolean;
  isArchived: boolean;
  sizeBytes: number;
}

const LIST = '{ importableDatasets { name hasData hasMetadata isArchived sizeBytes } }';
const DELETE = 'mutation($i: ImportableDatasetDeleteInput!){ importableDatasetDelete(input:$i){ deletedName userErrors { code message field } } }';

let key: TestKey;
let app: App;
/** Parent of INPUT_DIR: holds a sentinel that no delete may reach. */
let parent: string;
let inputDir: string;
let archiveDir: string;
let work: string;
let viewer: string;
let operator: string;
let seq = 0;

/** Builds `<dir>/<NAME>.tar` with GNU tar from `files` (relative path → content), as `tar -C src <what>`. */
function makeTar(dir: string, name: string, files: Record<string, string>, what = '.'): string {
  const src = path.join(work, `src-${++seq}`);
  mkdirSync(src, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    if (rel.endsWith('/')) {
      mkdirSync(path.join(src, rel), { recursive: true });
      continue;
    }
    mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    writeFileSync(path.join(src, rel), content);
  }
  const out = path.join(dir, `${name}.tar`);
  execFileSync('tar', ['-cf', out, '-C', src, what]);
  return out;
}

async function list(token = viewer): Promise<Dataset[]> {
  const res = await gql<{ importableDatasets: Dataset[] }>(app.url, LIST, undefined, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.importableDatasets;
}

async function find(name: string, isArchived = false): Promise<Dataset | undefined> {
  return (await list()).find((d) => d.name === name && d.isArchived === isArchived);
}

async function del(name: string, token = operator) {
  return gql<{ importableDatasetDelete: { deletedName: string | null; userErrors: Array<{ code: string; message: string; field: string[] | null }> } }>(
    app.url,
    DELETE,
    { i: { name } },
    token,
  );
}

interface Fixture {
  app: App;
  key: TestKey;
  parent: string;
  inputDir: string;
  archiveDir: string;
  work: string;
  viewer: string;
  operator: string;
}

/** Points the helpers and tests at `f`. */
function use(f: Fixture): void {
  ({ app, key, parent, inputDir, archiveDir, work, viewer, operator } = f);
}

/** A new INPUT_DIR with every kind of file (and a parent holding sentinels), and an instance reading it; in use from now on. */
async function fixture(): Promise<Fixture> {
  parent = mkdtempSync(path.join(os.tmpdir(), 'datasets-test-'));
  parents.push(parent);
  inputDir = path.join(parent, 'input');
  archiveDir = path.join(inputDir, 'archive');
  work = path.join(parent, 'work');
  mkdirSync(archiveDir, { recursive: true });
  mkdirSync(work);
  // Both flags: chunks folder with files, and NAME.json.
  makeTar(inputDir, 'FULL', { 'chunks/part-0': 'a', 'chunks/part-1': 'b', 'FULL.json': '{"v":1}' });
  // Only metadata.
  makeTar(inputDir, 'META_ONLY', { 'META_ONLY.json': '{}', 'README': 'r' });
  // Only chunks (an empty chunks folder counts too).
  makeTar(inputDir, 'DATA_ONLY', { 'chunks/part-0': 'a' });
  makeTar(inputDir, 'EMPTY_CHUNKS', { 'chunks/': '' });
  // Entries under a top NAME/ folder.
  makeTar(inputDir, 'FOLDERED', { 'FOLDERED/chunks/part-0': 'a', 'FOLDERED/FOLDERED.json': '{}' }, 'FOLDERED');
  // GNU incremental format (old GNU header: atime/ctime where ustar keeps its prefix).
  {
    const src = path.join(work, 'incr');
    mkdirSync(path.join(src, 'chunks'), { recursive: true });
    writeFileSync(path.join(src, 'chunks', 'a'), 'a');
    writeFileSync(path.join(src, 'INCR.json'), '{}');
    execFileSync('tar', ['--format=gnu', '--incremental', '-cf', path.join(inputDir, 'INCR.tar'), '-C', src, '.']);
  }
  // Another dataset's metadata does not count.
  makeTar(inputDir, 'WRONG_META', { 'OTHER.json': '{}', 'wrong_meta.json': '{}' });
  // Bad names: ignored even though they are good tars.
  makeTar(inputDir, 'lower', { 'chunks/a': 'a', 'lower.json': '{}' });
  makeTar(inputDir, '1DIGIT', { 'chunks/a': 'a', '1DIGIT.json': '{}' });
  makeTar(inputDir, '_UNDER', { 'chunks/a': 'a', '_UNDER.json': '{}' });
  makeTar(inputDir, 'Mixed', { 'chunks/a': 'a' });
  // Not tars at all.
  writeFileSync(path.join(inputDir, 'GOOD.tar'), 'this is a text file, not a tar archive\n'.repeat(40));
  writeFileSync(path.join(inputDir, 'RANDOM.tar'), Buffer.from(Array.from({ length: 3000 }, (_, i) => (i * 37 + 11) % 256)));
  writeFileSync(path.join(inputDir, 'notes.txt'), 'not a dataset');
  writeFileSync(path.join(inputDir, 'NOTES.TAR'), 'upper-case extension is not .tar');
  // A folder named like a tar is not a dataset.
  mkdirSync(path.join(inputDir, 'DIR.tar'));
  // Archive: same name as a top-level one, and one only archived.
  makeTar(archiveDir, 'FULL', { 'chunks/part-0': 'a', 'FULL.json': '{}' });
  makeTar(archiveDir, 'OLD', { 'OLD.json': '{}' });
  makeTar(archiveDir, 'bad_archived', { 'chunks/a': 'a' });
  // The sentinel outside INPUT_DIR.
  writeFileSync(path.join(parent, 'SENTINEL.tar'), 'must survive');
  writeFileSync(path.join(parent, 'passwd'), 'must survive');

  ({ app, key } = await startAppWithIssuer({ file: import.meta.url, env: { INPUT_DIR: inputDir } }));
  ({ viewer, operator } = await roleTokens(key));
  return { app, key, parent, inputDir, archiveDir, work, viewer, operator };
}

/** Folders made by fixture(), removed after each test. */
const parents: string[] = [];

/**
 * Tests that only read (or whose delete must be refused) share one folder; a test that adds or deletes a
 * file starts with `use(await fixture())`, a folder and an instance of its own.
 */
let shared: Fixture;
beforeAll(async () => {
  shared = await fixture();
});
beforeEach(() => use(shared));

afterAll(async () => {
  for (const dir of parents.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('importableDatasets', () => {
  test('lists exactly the well-named .tar files of INPUT_DIR and its archive, sorted by name', async () => {
    const all = await list();
    expect(all.map((d) => `${d.name}${d.isArchived ? ' (archive)' : ''}`)).toEqual([
      'DATA_ONLY',
      'EMPTY_CHUNKS',
      'FOLDERED',
      'FULL',
      'FULL (archive)',
      'GOOD',
      'INCR',
      'META_ONLY',
      'OLD (archive)',
      'RANDOM',
      'WRONG_META',
    ]);
  });

  test('chunks and NAME.json: both flags true; sizeBytes is the file size', async () => {
    expect(await find('FULL')).toEqual({
      name: 'FULL',
      hasData: true,
      hasMetadata: true,
      isArchived: false,
      sizeBytes: statSync(path.join(inputDir, 'FULL.tar')).size,
    });
  });

  test('only metadata', async () => {
    expect(await find('META_ONLY')).toMatchObject({ hasData: false, hasMetadata: true, isArchived: false });
  });

  test('only chunks (with files, or an empty chunks folder)', async () => {
    expect(await find('DATA_ONLY')).toMatchObject({ hasData: true, hasMetadata: false });
    expect(await find('EMPTY_CHUNKS')).toMatchObject({ hasData: true, hasMetadata: false });
  });

  test('entries under a NAME/ top folder count', async () => {
    expect(await find('FOLDERED')).toMatchObject({ hasData: true, hasMetadata: true });
  });

  test('an archive written by tar --format=gnu --incremental is read correctly', async () => {
    expect(await find('INCR')).toMatchObject({ hasData: true, hasMetadata: true });
  });

  test("another name's .json (or a different case) is not the metadata", async () => {
    expect(await find('WRONG_META')).toMatchObject({ hasData: false, hasMetadata: false });
  });

  test('bad names are ignored: lowercase, leading digit, leading _, mixed case', async () => {
    const names = (await list()).map((d) => d.name);
    for (const bad of ['lower', '1DIGIT', '_UNDER', 'Mixed', 'bad_archived', 'notes', 'NOTES', 'DIR']) expect(names).not.toContain(bad);
  });

  test('a file named GOOD.tar that is not a tar is listed, unreadable: both flags false', async () => {
    expect(await find('GOOD')).toEqual({
      name: 'GOOD',
      hasData: false,
      hasMetadata: false,
      isArchived: false,
      sizeBytes: statSync(path.join(inputDir, 'GOOD.tar')).size,
    });
    expect(await find('RANDOM')).toMatchObject({ hasData: false, hasMetadata: false });
  });

  test('files in the archive folder are isArchived', async () => {
    expect(await find('FULL', true)).toMatchObject({ hasData: true, hasMetadata: true, isArchived: true });
    expect(await find('OLD', true)).toMatchObject({ hasData: false, hasMetadata: true, isArchived: true });
    expect(await find('OLD', false)).toBeUndefined();
  });

  test('a new file shows up on the next query (no stale cache)', async () => {
    use(await fixture());
    makeTar(inputDir, 'LATE', { 'chunks/x': 'x', 'LATE.json': '{}' });
    expect(await find('LATE')).toMatchObject({ hasData: true, hasMetadata: true });
  });

  test('each tar is read once per version: a second listing reads none; one rewritten in place is read again', async () => {
    use(await fixture());
    makeTar(inputDir, 'GROWS', { 'GROWS.json': '{}' });
    expect(await find('GROWS')).toMatchObject({ hasData: false, hasMetadata: true });
    const service = app.services.datasets;
    const before = service.tarsRead;
    const again = await list();
    expect(service.tarsRead).toBe(before); // nothing changed: every flag came from the cache
    expect(again.length).toBeGreaterThan(5);

    // The same name, rewritten with chunks added: read again, and the flags follow.
    makeTar(inputDir, 'GROWS', { 'GROWS.json': '{}', 'chunks/0001': 'data' });
    expect(await find('GROWS')).toMatchObject({ hasData: true, hasMetadata: true });
    expect(service.tarsRead).toBe(before + 1);
  });

  test('without a token: UNAUTHENTICATED', async () => {
    const res = await gql(app.url, LIST);
    expect(res.body.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe('importableDatasetDelete', () => {
  test('deletes the top-level tar only; the archive copy of the same name stays', async () => {
    use(await fixture());
    const res = await del('FULL');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.importableDatasetDelete).toEqual({ deletedName: 'FULL', userErrors: [] });
    expect(existsSync(path.join(inputDir, 'FULL.tar'))).toBe(false);
    expect(existsSync(path.join(archiveDir, 'FULL.tar'))).toBe(true);
    expect(await find('FULL')).toBeUndefined();
    expect(await find('FULL', true)).toMatchObject({ isArchived: true });
  });

  test('NOT_FOUND for a missing one, and for a name only in the archive', async () => {
    use(await fixture());
    expect((await del('FULL')).body.data!.importableDatasetDelete.deletedName).toBe('FULL'); // now FULL is only in the archive
    for (const name of ['MISSING', 'OLD', 'FULL']) {
      const res = await del(name);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.importableDatasetDelete.deletedName).toBeNull();
      expect(res.body.data!.importableDatasetDelete.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'name'] })]);
    }
    expect(existsSync(path.join(archiveDir, 'OLD.tar'))).toBe(true);
    expect(existsSync(path.join(archiveDir, 'FULL.tar'))).toBe(true);
  });

  test('NOT_FOUND for a folder named like a tar (it is not removed)', async () => {
    const res = await del('DIR');
    expect(res.body.data!.importableDatasetDelete.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    expect(existsSync(path.join(inputDir, 'DIR.tar'))).toBe(true);
  });

  test.each(
    ['../etc/passwd', '../SENTINEL', '../passwd', 'A/B', 'lower', '.._X', '', 'archive/OLD', '/etc/passwd', 'FULL.tar', 'A\u0000B', `A${'B'.repeat(128)}`].map((n) => [
      n.length > 40 ? `a ${n.length}-character name` : JSON.stringify(n),
      n,
    ]),
  )('INVALID_NAME for %s, and nothing is deleted', async (_label, name) => {
      const res = await del(name);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!.importableDatasetDelete).toEqual({
        deletedName: null,
        userErrors: [expect.objectContaining({ code: 'INVALID_NAME', field: ['input', 'name'] })],
      });
      expect(existsSync(path.join(parent, 'SENTINEL.tar'))).toBe(true);
      expect(existsSync(path.join(parent, 'passwd'))).toBe(true);
      expect(existsSync(path.join(archiveDir, 'OLD.tar'))).toBe(true);
      expect(existsSync(path.join(inputDir, 'lower.tar'))).toBe(true);
  });

  test('a VIEWER gets FORBIDDEN and the file stays', async () => {
    const res = await del('META_ONLY', viewer);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]!.extensions?.code).toBe('FORBIDDEN');
    expect(res.body.data ?? null).toBeNull();
    expect(existsSync(path.join(inputDir, 'META_ONLY.tar'))).toBe(true);
    expect(await find('META_ONLY')).toBeDefined();
  });

  test('a SUBMITTER gets FORBIDDEN too; an ADMIN may delete', async () => {
    use(await fixture());
    const submitter = await signToken(key, { sub: 'sam', roles: ['SUBMITTER'] });
    expect((await del('DATA_ONLY', submitter)).body.errors![0]!.extensions?.code).toBe('FORBIDDEN');
    expect(existsSync(path.join(inputDir, 'DATA_ONLY.tar'))).toBe(true);
    const admin = await signToken(key, { sub: 'ada', roles: ['ADMIN'] });
    expect((await del('DATA_ONLY', admin)).body.data!.importableDatasetDelete.deletedName).toBe('DATA_ONLY');
    expect(existsSync(path.join(inputDir, 'DATA_ONLY.tar'))).toBe(false);
  });

  test('an unreadable tar can be deleted', async () => {
    use(await fixture());
    expect((await del('GOOD')).body.data!.importableDatasetDelete.deletedName).toBe('GOOD');
    expect(existsSync(path.join(inputDir, 'GOOD.tar'))).toBe(false);
  });

  test('nothing outside INPUT_DIR (or in the archive) is deleted by any of the deletes above', async () => {
    use(await fixture());
    const names = ['FULL', 'MISSING', 'OLD', 'DIR', 'DATA_ONLY', 'GOOD', '../etc/passwd', '../SENTINEL', '../passwd', 'A/B', 'lower', '.._X', 'archive/OLD', '/etc/passwd', 'FULL.tar'];
    for (const name of names) await del(name);
    const admin = (await roleTokens(key)).admin;
    for (const name of names) await del(name, admin);
    expect(existsSync(path.join(parent, 'SENTINEL.tar'))).toBe(true);
    expect(existsSync(path.join(parent, 'passwd'))).toBe(true);
    expect(existsSync(path.join(archiveDir, 'FULL.tar'))).toBe(true);
    expect(existsSync(path.join(archiveDir, 'OLD.tar'))).toBe(true);
    expect(existsSync(path.join(archiveDir, 'bad_archived.tar'))).toBe(true);
    expect(existsSync(path.join(inputDir, 'notes.txt'))).toBe(true);
  });
});
