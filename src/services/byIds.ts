import { Types, type Model } from 'mongoose';

/** A 24-hex ObjectId (either case) as an ObjectId; null for anything else. */
export function parseObjectId(id: unknown): Types.ObjectId | null {
  return typeof id === 'string' && /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;
}

/**
 * The documents whose _id is one of `ids` (each id asked once; missing ones
 * left out, order not kept): one query, `_id` equality for one id, `$in` for
 * more. Both are served by the _id index on MongoDB and on the embedded
 * FerretDB (its launcher pushes `_id` equality and `$in` down to SQLite).
 */
export async function findByIds<T>(model: Model<T>, ids: ReadonlyArray<string | Types.ObjectId>): Promise<T[]> {
  const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
  if (unique.length === 0) return [];
  return model.find({ _id: unique.length === 1 ? unique[0] : { $in: unique } }).lean<T[]>();
}
