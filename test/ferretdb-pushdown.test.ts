import { mongo, type Connection } from 'mongoose';
import { connectMongo, isFerretDB } from '../src/db/mongo.js';
import { createLogger } from '../src/logger.js';
import { uniqueName } from './harness/app.js';
import { backends, onFileEnd } from './harness/backends.js';
import { until } from './harness/until.js';

/**
 * The embedded FerretDB is built with tools/ferretdb/patches/pushdown.patch: its SQLite backend
 * reads only the rows a filter's `_id` part selects (`_id: <string|ObjectId>` whatever the other
 * keys, or `_id: {$in: [...]}` of at most 1000 strings/ObjectIds), then applies the whole filter in
 * Go as before. Shown without timing: FerretDB's explain reports `filterPushdown` from the same
 * code that builds the query's WHERE clause, and its queryPlanner is SQLite's own plan, which
 * names the launcher's _id index (tools/ferretdb/idindex.go) once that exists. The results of those
 * filter shapes are checked on whichever database the tests run on.
 */
const N = 300;
const { ObjectId } = mongo;
type ObjectId = mongo.ObjectId;
type Collection<T extends mongo.Document> = mongo.Collection<T>;
type Document = mongo.Document;
const id = (i: number) => `doc-${String(i).padStart(4, '0')}`;

let conn: Connection;
let db: mongo.Db;
let docs: Collection<{ _id: string; seq: number; name: string }>;
let oids: Collection<{ _id: ObjectId; seq: number }>;
const oidList = Array.from({ length: 30 }, () => new ObjectId());

/** Why the pushdown tests cannot run: MONGODB_URI names a real MongoDB (it has no FerretDB explain fields). */
async function whyNotFerretDB(): Promise<string | undefined> {
  const uri = process.env.MONGODB_URI;
  if (!uri) return undefined; // the harness starts the embedded FerretDB
  const probe = await connectMongo(uri, undefined);
  try {
    return (await isFerretDB(probe)) ? undefined : 'MONGODB_URI points at a real MongoDB, not FerretDB';
  } finally {
    await probe.close();
  }
}
const ferretSkip = await whyNotFerretDB();
if (ferretSkip) createLogger('info', 'ferretdb-pushdown').warn(`skipped: FerretDB pushdown (${ferretSkip})`);

beforeAll(async () => {
  conn = await connectMongo((await backends()).mongoUri, uniqueName(import.meta.url));
  db = conn.db!;
  docs = db.collection('docs');
  oids = db.collection('oids');
  await docs.insertMany(Array.from({ length: N }, (_, i) => ({ _id: id(i), seq: i % 20, name: `n${i}` })));
  await oids.insertMany(oidList.map((o, i) => ({ _id: o, seq: i % 20 })));
  onFileEnd(async () => {
    await conn.dropDatabase();
    await conn.close();
  });
});

describe('filters with an _id part: results', () => {
  test('_id equality with other keys: the other keys still filter (find, update, delete, findAndModify, count)', async () => {
    const x = id(40); // seq 0
    expect((await docs.updateOne({ _id: x, seq: { $lt: 0 } }, { $set: { name: 'bad' } })).matchedCount).toBe(0);
    expect(await docs.findOneAndUpdate({ _id: x, seq: { $gt: 0 } }, { $set: { name: 'bad' } })).toBeNull();
    expect((await docs.deleteOne({ _id: x, seq: { $gt: 100 } })).deletedCount).toBe(0);
    expect(await docs.findOne({ _id: x, seq: 1 })).toBeNull();
    expect(await docs.countDocuments({ _id: x, seq: 1 })).toBe(0);
    expect((await docs.updateOne({ _id: x, seq: { $lt: 10 } }, { $set: { name: 'good' } })).matchedCount).toBe(1);
    expect(await docs.findOne({ _id: x })).toEqual({ _id: x, seq: 0, name: 'good' });
    expect(await docs.countDocuments({ name: 'bad' })).toBe(0);
  });

  test('_id with $or: the $or still decides', async () => {
    const x = id(41); // seq 1, name n41
    expect(await docs.find({ _id: x, $or: [{ seq: 1 }, { name: 'zzz' }] }).toArray()).toEqual([{ _id: x, seq: 1, name: 'n41' }]);
    expect(await docs.find({ _id: x, $or: [{ seq: 3 }, { name: 'n41' }] }).toArray()).toHaveLength(1);
    expect(await docs.find({ _id: x, $or: [{ seq: 3 }, { name: 'zzz' }] }).toArray()).toEqual([]);
  });

  test('_id $in: exactly the asked documents, other keys still filter', async () => {
    const asked = [id(1), id(5), id(299), id(7), 'missing', id(5)];
    const ids = async (filter: Document, c: Collection<Document> = docs as unknown as Collection<Document>) =>
      (await c.find(filter).toArray()).map((d) => String(d._id)).sort();
    expect(await ids({ _id: { $in: asked } })).toEqual([id(1), id(5), id(7), id(299)]);
    expect(await ids({ _id: { $in: asked }, seq: { $lt: 6 } })).toEqual([id(1), id(5)]);
    expect(await docs.countDocuments({ _id: { $in: asked }, seq: { $gte: 6 } })).toBe(2);
    expect(await ids({ _id: { $in: [] } })).toEqual([]);
    expect(await ids({ _id: { $in: [id(3), 42] } })).toEqual([id(3)]); // not all strings: not pushed down
    const many = Array.from({ length: 1001 }, (_, i) => id(i)); // over the pushdown cap
    expect(await docs.countDocuments({ _id: { $in: many } })).toBe(N);
    expect((await docs.aggregate([{ $match: { _id: { $in: asked }, seq: 7 } }]).toArray()).map((d) => d._id)).toEqual([id(7)]);
    expect(await docs.distinct('seq', { _id: { $in: [id(2), id(22)] } })).toEqual([2]);
    const [o3, o4, o9] = [oidList[3]!, oidList[4]!, oidList[9]!];
    const o = await oids.find({ _id: { $in: [o3, o9] }, seq: 9 }).toArray();
    expect(o.map((d) => d._id.toHexString())).toEqual([o9.toHexString()]);
    expect(await oids.findOne({ _id: o4, seq: 5 })).toBeNull();
    expect((await oids.findOne({ _id: o4, seq: 4 }))?._id.toHexString()).toBe(o4.toHexString());
  });
});

(ferretSkip ? describe.skip : describe)('FerretDB pushes the _id part down to SQLite (patched build)', () => {
  const explain = async (collection: string, filter: Document) => {
    const r = await db.command({ explain: { find: collection, filter } });
    return { pushdown: r.filterPushdown as boolean, plan: JSON.stringify(r.queryPlanner) };
  };

  test('explain reports filterPushdown for the _id shapes, and only for them', async () => {
    const x = id(10);
    const pushed: Array<[string, Document]> = [
      ['docs', { _id: x }],
      ['docs', { _id: x, seq: { $lt: 10 } }],
      ['docs', { seq: { $lt: 10 }, _id: x, name: 'n10' }],
      ['docs', { _id: x, $or: [{ seq: 0 }, { name: 'n' }] }],
      ['docs', { _id: { $in: [x, id(11), id(12)] } }],
      ['docs', { _id: { $in: Array.from({ length: 1000 }, (_, i) => id(i)) }, seq: 3 }],
      ['oids', { _id: oidList[0]!, seq: 0 }],
      ['oids', { _id: { $in: oidList } }],
    ];
    const notPushed: Array<[string, Document]> = [
      ['docs', {}],
      ['docs', { seq: 1 }],
      ['docs', { _id: { $in: Array.from({ length: 1001 }, (_, i) => id(i)) } }],
      ['docs', { _id: { $in: [x, 42] } }],
      ['docs', { _id: { $in: [] } }],
      ['docs', { _id: { $in: [x], $nin: [id(1)] } }],
      ['docs', { _id: { $gt: x } }],
      ['docs', { _id: 7 }],
      ['docs', { $or: [{ _id: x }, { _id: id(11) }] }],
    ];
    for (const [c, f] of pushed) expect({ f, pushdown: (await explain(c, f)).pushdown }).toEqual({ f, pushdown: true });
    for (const [c, f] of notPushed) expect({ f, pushdown: (await explain(c, f)).pushdown }).toEqual({ f, pushdown: false });
  });

  test("SQLite's plan searches the launcher's _id index for _id plus other keys and for $in", async () => {
    // The launcher adds its index within a few hundred ms of the table's creation. EXPLAIN QUERY
    // PLAN does not read the database, so a FerretDB connection sees the new index only once it
    // has run a real query: run the filter, then explain it.
    const searches = (filter: Document) => async () => {
      await docs.find(filter).toArray();
      const { plan } = await explain('docs', filter);
      return /SEARCH \S+ USING INDEX \S+__ferretdb_id_lookup/.test(plan) && !/\bSCAN\b/.test(plan);
    };
    await until('the launcher _id index serves { _id }', searches({ _id: id(10) }), 10_000);
    for (const f of [{ _id: id(10), seq: { $lt: 10 } }, { _id: { $in: [id(10), id(11)] }, name: { $ne: 'a' } }]) {
      await until(`the launcher _id index serves ${JSON.stringify(f)}`, searches(f), 10_000);
    }
    expect((await explain('docs', { seq: 1 })).plan).toMatch(/\bSCAN\b/);
  });
});
