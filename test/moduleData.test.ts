import type { App } from '../src/app.js';
import { gql, startAppWithIssuer } from './harness/app.js';
import type { UserErr } from './harness/app.js';

interface ModuleData {
  module: string;
  name: string;
  data: unknown;
  updatedAt: string;
  updatedBy: string;
}

const FIELDS = 'module name data updatedAt updatedBy';
const GET = `query($m: String!, $n: String!){ moduleData(module: $m, name: $n){ ${FIELDS} } }`;
const SET = `mutation($i: ModuleDataSetInput!){ moduleDataSet(input:$i){ moduleData { ${FIELDS} } userErrors { code message field } } }`;
const DELETE = 'mutation($i: ModuleDataDeleteInput!){ moduleDataDelete(input:$i){ deleted userErrors { code message field } } }';

let app: App;
let viewer: string;
let operator: string;
let admin: string;
let token: (roles: string[], sub?: string) => Promise<string>;
/** The services' clock: real time plus what tests moved it forward by (instead of sleeping). */
const clock = { aheadMs: 0 };

beforeAll(async () => {
  const started = await startAppWithIssuer({ file: import.meta.url, appOptions: { clock: { now: () => Date.now() + clock.aheadMs } } });
  app = started.app;
  token = started.token;
  ({ viewer, operator, admin } = started.tokens);
});

async function get(module: string, name: string, token = viewer): Promise<ModuleData | null> {
  const res = await gql<{ moduleData: ModuleData | null }>(app.url, GET, { m: module, n: name }, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.moduleData;
}

async function set(module: string, name: string, data: unknown, token = admin) {
  return gql<{ moduleDataSet: { moduleData: ModuleData | null; userErrors: UserErr[] } }>(app.url, SET, { i: { module, name, data } }, token);
}

async function del(module: string, name: string, token = admin) {
  return gql<{ moduleDataDelete: { deleted: boolean; userErrors: UserErr[] } }>(app.url, DELETE, { i: { module, name } }, token);
}

/** Nested JSON whose keys look like Mongo operators and dotted paths: stored and returned literally. */
const NESTED = {
  $where: 'x',
  'a.b': 1,
  $set: { $gt: '', 'x.y.z': [1, 2, { $ne: null }] },
  list: [1, -2.5, 1e21, 'two', true, false, null, [], {}, [[['deep']]]],
  nested: { level1: { level2: { level3: { n: 0, s: '$$ROOT', empty: '' } } } },
  unicode: 'üñí©ødé ✓ \u0000 "quotes" \\ backslash',
  '': 'empty key',
  _id: 'not an id',
};

describe('round trip', () => {
  test('set, read back and delete a nested document with $ and . in keys', async () => {
    const t0 = Date.now();
    const res = await set('reports.v2', 'daily-summary_1', NESTED);
    expect(res.body.errors).toBeUndefined();
    const stored = res.body.data!.moduleDataSet;
    expect(stored.userErrors).toEqual([]);
    expect(stored.moduleData).toMatchObject({ module: 'reports.v2', name: 'daily-summary_1', updatedBy: 'alice' });
    expect(stored.moduleData!.data).toEqual(NESTED);
    expect(Date.parse(stored.moduleData!.updatedAt)).toBeGreaterThanOrEqual(t0 - 5_000);

    const read = await get('reports.v2', 'daily-summary_1');
    expect(read).toEqual(stored.moduleData);
    // Key order survives too (stored as JSON text).
    expect(Object.keys(read!.data as Record<string, unknown>)).toEqual(Object.keys(NESTED));
  });

  test('the same document name in another module is separate', async () => {
    expect((await set('separate.v2', 'summary_1', { v: 2 })).body.data!.moduleDataSet.userErrors).toEqual([]);
    expect((await get('separate.v2', 'summary_1'))?.data).toEqual({ v: 2 });
    expect(await get('separate.v3', 'summary_1')).toBeNull();
    expect(await get('separate.v2', 'summary_2')).toBeNull();
  });

  test('scalars and arrays at the top level', async () => {
    for (const data of [42, 'just a string', true, [1, { $in: ['a'] }], { 'a.b.c': { 'd.e': 'f' } }]) {
      const res = await set('scalars', 'doc', data);
      expect(res.body.data!.moduleDataSet.userErrors).toEqual([]);
      expect((await get('scalars', 'doc'))!.data).toEqual(data);
    }
  });

  test('an object literal in the query (not a variable) is stored literally too', async () => {
    const res = await gql<{ moduleDataSet: { moduleData: ModuleData | null; userErrors: UserErr[] } }>(
      app.url,
      `mutation { moduleDataSet(input: { module: "lit", name: "one", data: { where: "x", list: [1, 2.5, "s", null, { k: true }] } }) { moduleData { data } userErrors { code } } }`,
      undefined,
      admin,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.moduleDataSet.moduleData!.data).toEqual({ where: 'x', list: [1, 2.5, 's', null, { k: true }] });
  });

  test('overwrite replaces the whole document and records the new writer', async () => {
    await set('cfg', 'settings', { a: 1, b: { c: 2 } });
    const first = (await get('cfg', 'settings'))!;
    clock.aheadMs += 1_000;
    const other = await token(['ADMIN'], 'bob');
    const res = await set('cfg', 'settings', { b: { d: 3 } }, other);
    expect(res.body.data!.moduleDataSet.userErrors).toEqual([]);
    const second = (await get('cfg', 'settings'))!;
    expect(second.data).toEqual({ b: { d: 3 } });
    expect(second.updatedBy).toBe('bob');
    expect(Date.parse(second.updatedAt)).toBeGreaterThan(Date.parse(first.updatedAt));
  });

  test('delete: deleted true, then null on read, then NOT_FOUND the second time', async () => {
    await set('tmp', 'stays', { y: 2 });
    await set('tmp', 'gone', { x: 1 });
    const first = await del('tmp', 'gone');
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data!.moduleDataDelete).toEqual({ deleted: true, userErrors: [] });
    expect(await get('tmp', 'gone')).toBeNull();
    const second = await del('tmp', 'gone');
    expect(second.body.data!.moduleDataDelete.deleted).toBe(false);
    expect(second.body.data!.moduleDataDelete.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    // Deleting one document leaves the others (this test's own; another test's might be gone in any order).
    expect((await get('tmp', 'stays'))?.data).toEqual({ y: 2 });
  });
});

describe('validation', () => {
  const badModules = ['', 'has space', 'slash/x', '$where', 'a'.repeat(65), 'ümlaut', 'semi;colon'];
  const badNames = ['', 'has space', '../up', '$gt', 'n'.repeat(129), 'a*b'];

  test.each(badModules.map((m) => [m.length > 30 ? `${m.length} characters` : JSON.stringify(m), m]))('INVALID_NAME for the module %s', async (_label, module) => {
    const res = await set(module, 'ok', { a: 1 });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.moduleDataSet).toEqual({
      moduleData: null,
      userErrors: [expect.objectContaining({ code: 'INVALID_NAME', field: ['input', 'module'] })],
    });
    expect((await del(module, 'ok')).body.data!.moduleDataDelete.userErrors.map((e) => e.code)).toEqual(['INVALID_NAME']);
  });

  test.each(badNames.map((n) => [n.length > 30 ? `${n.length} characters` : JSON.stringify(n), n]))('INVALID_NAME for the name %s', async (_label, name) => {
    const res = await set('mod', name, { a: 1 });
    expect(res.body.data!.moduleDataSet).toEqual({
      moduleData: null,
      userErrors: [expect.objectContaining({ code: 'INVALID_NAME', field: ['input', 'name'] })],
    });
  });

  test('limits are inclusive: 64-character module and 128-character name are fine', async () => {
    const res = await set('m'.repeat(64), 'n'.repeat(128), { ok: true });
    expect(res.body.data!.moduleDataSet.userErrors).toEqual([]);
    expect((await get('m'.repeat(64), 'n'.repeat(128)))!.data).toEqual({ ok: true });
  });

  test('both bad: two INVALID_NAME errors', async () => {
    const res = await set('bad module', 'bad name', 1);
    expect(res.body.data!.moduleDataSet.userErrors.map((e) => e.field)).toEqual([
      ['input', 'module'],
      ['input', 'name'],
    ]);
  });

  test('TOO_LARGE over 64 KiB of JSON; exactly 64 KiB is accepted', async () => {
    // JSON.stringify of a string of n ASCII letters is n + 2 bytes.
    const exact = 'x'.repeat(64 * 1024 - 2);
    const ok = await set('big', 'doc', exact);
    expect(ok.body.data!.moduleDataSet.userErrors).toEqual([]);
    expect((await get('big', 'doc'))!.data).toBe(exact);

    const over = await set('big', 'doc', { blob: 'y'.repeat(64 * 1024) });
    expect(over.body.errors).toBeUndefined();
    expect(over.body.data!.moduleDataSet).toEqual({ moduleData: null, userErrors: [expect.objectContaining({ code: 'TOO_LARGE', field: ['input', 'data'] })] });
    // Multi-byte characters count as bytes: 22k three-byte characters is ~66 KB.
    const wide = await set('big', 'doc', '✓'.repeat(22 * 1024));
    expect(wide.body.data!.moduleDataSet.userErrors.map((e) => e.code)).toEqual(['TOO_LARGE']);
    // The previous document is untouched.
    expect((await get('big', 'doc'))!.data).toBe(exact);
  });

  test('a missing document reads as null', async () => {
    expect(await get('nothing', 'here')).toBeNull();
  });
});

describe('roles', () => {
  test('a VIEWER can read but not write or delete (FORBIDDEN)', async () => {
    await set('shared', 'doc', { v: 1 });
    expect((await get('shared', 'doc', viewer))!.data).toEqual({ v: 1 });
    for (const token of [viewer, operator]) {
      const w = await set('shared', 'doc', { v: 2 }, token);
      expect(w.body.errors).toHaveLength(1);
      expect(w.body.errors![0]!.extensions?.code).toBe('FORBIDDEN');
      expect(w.body.data ?? null).toBeNull();
      const d = await del('shared', 'doc', token);
      expect(d.body.errors![0]!.extensions?.code).toBe('FORBIDDEN');
    }
    expect((await get('shared', 'doc'))!.data).toEqual({ v: 1 });
  });

  test('without a token: UNAUTHENTICATED', async () => {
    const res = await gql(app.url, GET, { m: 'shared', n: 'doc' });
    expect(res.body.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
