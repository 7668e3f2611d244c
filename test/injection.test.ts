import fc from 'fast-check';
import type { App } from '../src/app.js';
import type { JobFilter } from '../src/generated/graphql.js';
import { jobFilterQuery, matchesJobFilter } from '../src/services/jobFilter.js';
import { gql, startAppWithIssuer } from './harness/app.js';

/**
 * Property: whatever a user sends, no MongoDB operator reaches the database
 * from user input. Every query operator the service sends comes from a fixed
 * list; user strings only ever appear as values (never as keys), and regexes
 * are built from escaped literals.
 */
const ALLOWED_OPERATORS = new Set(['$in', '$and', '$or', '$gte', '$lt', '$gt', '$lte', '$regex', '$exists', '$ne']);
const STATUSES = ['QUEUED', 'INITIATED', 'VALIDATING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
const OPERATIONS = ['ADD', 'CHANGE', 'REMOVE', 'BUMP'] as const;

/** Strings an attacker would try, mixed with arbitrary ones. */
const hostile = fc.oneof(
  fc.string(),
  fc.constantFrom('{"$ne": null}', '{"$gt": ""}', '$where', '$ne', "'; return true; '", '.*', '^', '\\', '{"$regex": ".*"}', 'a.b', '$', '__proto__', 'constructor'),
  fc.json(),
);

const filterArb: fc.Arbitrary<JobFilter> = fc.record(
  {
    statuses: fc.array(fc.constantFrom(...STATUSES), { maxLength: 3 }),
    operations: fc.array(fc.constantFrom(...OPERATIONS), { maxLength: 3 }),
    target: hostile,
    createdBy: hostile,
    active: fc.boolean(),
    createdAfter: fc.date({ min: new Date(2020, 0, 1), max: new Date(2035, 0, 1), noInvalidDate: true }),
    createdBefore: fc.date({ min: new Date(2020, 0, 1), max: new Date(2035, 0, 1), noInvalidDate: true }),
  },
  { requiredKeys: [] },
);

/**
 * Walks a query document: every key that starts with $ must be ours, and no key may be a user string
 * (unless the string happens to be one of our own field names, which the generator can produce: "name").
 */
function assertSafe(doc: unknown, userStrings: Set<string>, path = 'filter'): void {
  if (Array.isArray(doc)) {
    doc.forEach((d, i) => assertSafe(d, userStrings, `${path}[${i}]`));
    return;
  }
  if (doc === null || typeof doc !== 'object' || doc instanceof Date || doc instanceof RegExp || (doc as { _bsontype?: string })._bsontype) return;
  for (const [key, value] of Object.entries(doc)) {
    if (key.startsWith('$') && !ALLOWED_OPERATORS.has(key)) throw new Error(`operator ${key} at ${path}`);
    if (!key.startsWith('$') && userStrings.has(key) && !['status', 'operation', 'target', 'createdBy', 'createdAt', '_id', 'module', 'name'].includes(key)) {
      throw new Error(`user string used as a key at ${path}: ${key}`);
    }
    if (key === '$regex' && typeof value === 'string' && !value.startsWith('^')) throw new Error(`unanchored regex at ${path}`);
    assertSafe(value, userStrings, `${path}.${key}`);
  }
}

test('jobFilterQuery: thousands of generated filters produce only our operators; the predicate matches the filter\'s own values', () => {
  fc.assert(
    fc.property(filterArb, (filter) => {
      const query = jobFilterQuery(filter);
      assertSafe(query, new Set([filter.target, filter.createdBy].filter((s): s is string => typeof s === 'string')));
      // User strings stay literal values: the query's equality targets are exactly the strings given.
      const json = JSON.stringify(query);
      if (typeof filter.target === 'string') expect(json).toContain(JSON.stringify({ target: filter.target }).slice(1, -1));
      // The subscription predicate matches a job built from the filter's literal values (its dates and
      // `active` aside), unless an empty status or operation list asks for none.
      const job = {
        status: (filter.statuses?.[0] ?? 'QUEUED') as (typeof STATUSES)[number],
        operation: (filter.operations?.[0] ?? 'ADD') as (typeof OPERATIONS)[number],
        target: typeof filter.target === 'string' ? filter.target : 'X',
        createdBy: typeof filter.createdBy === 'string' ? filter.createdBy : 'u',
        createdAt: new Date(2030, 0, 1),
      };
      const matchable = filter.statuses?.length !== 0 && filter.operations?.length !== 0;
      expect(matchesJobFilter(job, { ...filter, active: undefined, createdAfter: undefined, createdBefore: undefined })).toBe(matchable);
    }),
    { numRuns: 5000 },
  );
});

describe('through the API, on the real database', () => {
  let app: App;
  let viewer: string;
  let admin: string;
  const commands: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    const started = await startAppWithIssuer({ file: import.meta.url, instrument: true });
    app = started.app;
    viewer = await started.token(['VIEWER']);
    admin = await started.token(['ADMIN']);
    app.mongo.getClient().on('commandStarted', (e) => commands.push(e.command as Record<string, unknown>));
  });

  test('generated filters and string arguments: every command sent to MongoDB carries only our operators; nothing matches by injection', async () => {
    await fc.assert(
      fc.asyncProperty(filterArb, hostile, hostile, async (filter, name, id) => {
        commands.length = 0;
        const res = await gql<{ jobs: { totalCount: number }; target: null; job: null; moduleData: null; targets: { totalCount: number } }>(
          app.url,
          `query($f: JobFilter, $name: String!, $id: ID!, $p: String) {
            jobs(filter: $f, first: 5) { totalCount } target(name: $name) { name } job(id: $id) { id }
            moduleData(module: $name, name: $name) { name } targets(nameStartsWith: $p, first: 5) { totalCount } }`,
          { f: { ...filter, createdAfter: filter.createdAfter?.toISOString(), createdBefore: filter.createdBefore?.toISOString() }, name, id, p: name },
          viewer,
        );
        expect(res.body.errors).toBeUndefined();
        // The database is empty of these names: a match could only come from injection.
        expect(res.body.data!.jobs.totalCount).toBe(0);
        expect(res.body.data!.target).toBeNull();
        expect(res.body.data!.job).toBeNull();
        expect(res.body.data!.moduleData).toBeNull();
        expect(res.body.data!.targets.totalCount).toBe(0);
        const userStrings = new Set([name, id, filter.target, filter.createdBy].filter((s): s is string => typeof s === 'string'));
        for (const cmd of commands) {
          for (const key of ['filter', 'query', 'q']) if (cmd[key]) assertSafe(cmd[key], userStrings, key);
          // countDocuments runs [{ $match: filter }, { $group: { _id: 1, n: { $sum: 1 } } }]: the filter is the $match.
          if (Array.isArray(cmd.pipeline)) assertSafe((cmd.pipeline[0] as { $match?: unknown }).$match, userStrings, 'pipeline.$match');
        }
      }),
      { numRuns: 200 },
    );
  }, 90_000);

  test('module data stores hostile keys and values literally', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(hostile, hostile, { maxKeys: 5 }), async (data) => {
        const res = await gql<{ moduleDataSet: { moduleData: { data: unknown } } }>(
          app.url,
          `mutation($d: JSON!) { moduleDataSet(input: { module: "prop", name: "doc", data: $d }) { moduleData { data } userErrors { code } } }`,
          { d: data },
          admin,
        );
        if (res.status === 400) {
          // Prototype-poisoning keys (__proto__, constructor.prototype) are refused outright, with a clear error.
          expect(res.body.errors![0]!.extensions?.code).toBe('BAD_REQUEST');
          expect(res.body.errors![0]!.message).toMatch(/__proto__|prototype/);
          return;
        }
        expect(res.body.data!.moduleDataSet.moduleData.data).toEqual(JSON.parse(JSON.stringify(data)));
      }),
      { numRuns: 50 },
    );
  }, 60_000);
});
