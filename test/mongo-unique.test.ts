import mongoose, { Schema, type Connection } from 'mongoose';
import { connectMongo } from '../src/db/mongo.js';
import { createModels, ensureIndexes } from '../src/models/index.js';
import { uniqueName } from './harness/app.js';
import { backends } from './harness/backends.js';

/**
 * The in-progress guard of DESIGN.md rests on this: a unique, sparse index
 * refuses a second document with the same value (E11000, detected by code
 * only) and allows any number of documents without the field.
 */
describe('unique sparse index on the real database', () => {
  let conn: Connection;
  const schema = new Schema({ name: { type: String, required: true }, activeTarget: { type: String } }, { autoIndex: false });
  schema.index({ activeTarget: 1 }, { unique: true, sparse: true, name: 'activeTarget_unique' });

  beforeAll(async () => {
    conn = await connectMongo((await backends()).mongoUri, uniqueName(import.meta.url));
  });
  afterAll(async () => {
    await conn?.dropDatabase();
    await conn?.close();
  });

  test('duplicates are refused with E11000; documents without the field are not', async () => {
    const Guarded = conn.model('Guarded', schema);
    await Guarded.createCollection();
    await Guarded.createIndexes();
    const indexes = await Guarded.collection.indexes();
    expect(indexes.map((i) => i.name)).toContain('activeTarget_unique');

    await Guarded.create({ name: 'first', activeTarget: 'DATASET_A' });
    let dupError: unknown;
    try {
      await Guarded.create({ name: 'second', activeTarget: 'DATASET_A' });
    } catch (err) {
      dupError = err;
    }
    expect(dupError).toBeInstanceOf(mongoose.mongo.MongoServerError);
    expect((dupError as { code: number }).code).toBe(11000);

    await Guarded.create({ name: 'other target', activeTarget: 'DATASET_B' });
    await Guarded.insertMany(Array.from({ length: 25 }, (_, i) => ({ name: `no guard ${i}` })));
    expect(await Guarded.countDocuments({ activeTarget: { $exists: false } })).toBe(25);
    expect(await Guarded.countDocuments({})).toBe(27);

    // Once the guard is unset, the value may be used again.
    await Guarded.updateOne({ name: 'first' }, { $unset: { activeTarget: 1 } });
    await Guarded.create({ name: 'third', activeTarget: 'DATASET_A' });
    expect(await Guarded.countDocuments({ activeTarget: 'DATASET_A' })).toBe(1);
  });

  test('concurrent inserts of the same guard value: exactly one wins', async () => {
    const Race = conn.model('Race', schema);
    await Race.createCollection();
    await Race.createIndexes();
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => Race.create({ name: `r${i}`, activeTarget: 'SAME' })));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    for (const r of lost) expect((r.reason as { code: number }).code).toBe(11000);
  });

  // The one backend difference left in start-up: on FerretDB only the unique indexes are created (it serves no
  // query from the others, which would only slow every write). Both branches run here, on the real database.
  test('ensureIndexes: every named index (MongoDB branch) or only the unique ones (FerretDB branch); idempotent', async () => {
    const full = await connectMongo((await backends()).mongoUri, `${uniqueName(import.meta.url)}_full`);
    const uniqueOnly = await connectMongo((await backends()).mongoUri, `${uniqueName(import.meta.url)}_uniq`);
    try {
      const fullModels = createModels(full);
      await ensureIndexes(fullModels);
      await ensureIndexes(fullModels);
      const onlyModels = createModels(uniqueOnly);
      await ensureIndexes(onlyModels, { uniqueOnly: true });
      for (const name of Object.keys(fullModels) as Array<keyof typeof fullModels>) {
        const declared = fullModels[name].schema.indexes().map(([, o]) => o as { name: string; unique?: boolean });
        const names = (await fullModels[name].collection.indexes()).map((i) => i.name);
        for (const d of declared) expect(names).toContain(d.name);
        const onlyNames = (await onlyModels[name].collection.indexes()).map((i) => i.name);
        for (const d of declared) expect(onlyNames.includes(d.name)).toBe(Boolean(d.unique));
      }
    } finally {
      await full.dropDatabase();
      await uniqueOnly.dropDatabase();
      await full.close();
      await uniqueOnly.close();
    }
  });
});
