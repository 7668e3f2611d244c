import { Types, type Model } from 'mongoose';

/** A 24-hex ObjectId (either case) as an ObjectId; null for anything else. */
export function parseObjectId(id: unknown): Types.ObjectId | null {
  return typeof id === 'string' && /^[0-9a-f]{24}$/i.test(id) ? new Types.ObjectId(id) : null;
}

/**
 * The documents whose _id is one of `ids` (each id asked once; missing ones
 * left out, order not kept). One id, or MongoDB: a single query, `_id`
 * equality or `$in`, both served by the _id index. FerretDB v1 pushes down only
 * an exact `{ _id: value }` filter and runs `$in` as a scan of the whole
 * collection in Go (DESIGN.md rule 7), so with `pointLookups` (FerretDB) it
 * sends one `_id` equality lookup per id instead, concurrently: each is a
 * SQLite index lookup (the launcher indexes _id), so the cost follows the
 * number of ids, not the size of the collection.
 */
export async function findByIds<T>(model: Model<T>, ids: ReadonlyArray<string | Types.ObjectId>, pointLookups: boolean): Promise<T[]> {
  const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
  if (unique.length === 0) return [];
  if (unique.length > 1 && !pointLookups) return model.find({ _id: { $in: unique } }).lean<T[]>();
  const found = await Promise.all(unique.map((id) => model.findOne({ _id: id }).lean<T>()));
  return found.filter((d): d is NonNullable<typeof d> => d !== null) as T[];
}
