import { Types, type Connection } from 'mongoose';
import { connectDatabase } from '../src/db/mongo.js';
import { pino } from 'pino';
import { createLogger } from '../src/logger.js';
import { jobModel, type JobModel, type JobRecord } from '../src/models/job.js';
import { jobLogModel, type JobLogModel } from '../src/models/jobLog.js';
import { JobLogStore } from '../src/services/jobLogs.js';
import { JobWriter, type JobWrite } from '../src/services/jobWriter.js';
import { uniqueName } from './harness/app.js';
import { backends } from './harness/backends.js';
import { until } from './harness/until.js';

/**
 * JobWriter against the real database (FerretDB, or MONGODB_URI): the sequence
 * guard, batching with each caller answered after its own commit, merging, a
 * failed update that fails only its callers, and the per-command bound; a write's log lines go into
 * the job document in the same update, and the log store's mover (JobLogStore) moves them to the log
 * collection under the same sequence guard, capped per job.
 */
describe('JobWriter', () => {
  let conn: Connection;
  let Job: JobModel;
  let JobLog: JobLogModel;
  let logs: JobLogStore;
  /** The number of updates in each `update` command on the jobs collection, in order. */
  let commands: number[] = [];
  const logger = createLogger('silent', 'job-writer-test');
  const at = new Date(Date.UTC(2024, 0, 1));

  beforeAll(async () => {
    ({ conn } = await connectDatabase((await backends()).mongoUri, uniqueName(import.meta.url), { countCommands: true }));
    Job = jobModel(conn);
    JobLog = jobLogModel(conn);
    logs = new JobLogStore(JobLog, Job, 5, logger, { delayMs: 60_000 }); // no move unless a test drains it (its commands would be counted)
    conn.getClient().on('commandStarted', (event) => {
      if (event.commandName === 'update' && event.command.update === 'jobs') commands.push((event.command.updates as unknown[]).length);
    });
  });
  afterAll(async () => {
    await conn?.dropDatabase();
    await conn?.close();
  });
  beforeEach(() => {
    commands = [];
  });

  /** Inserts jobs as stored documents (seq 1 unless `extra` says otherwise), bypassing mongoose. */
  async function seed(n: number, extra: Record<string, unknown> = {}): Promise<Types.ObjectId[]> {
    const docs = Array.from({ length: n }, () => ({
      _id: new Types.ObjectId(), target: 'DS_A', operation: 'ADD', status: 'QUEUED', seq: 1, relatedTargets: ['DS_A'], createdBy: 'test',
      createdAt: at, updatedAt: at, priority: 0, attempts: 0, maxAttempts: 3, cancelRequested: false, ...extra,
    }));
    await Job.collection.insertMany(docs);
    return docs.map((d) => d._id);
  }

  function read(id: Types.ObjectId): Promise<JobRecord | null> {
    return Job.collection.findOne({ _id: id }) as Promise<JobRecord | null>;
  }

  const line = (message: string) => ({ at, actor: 'test', message });
  /** The job's log lines as `Job.log` shows them. */
  const messages = async (doc: JobRecord | null) => (doc ? (await logs.linesOf([doc]))[0]!.map((l) => l.message) : undefined);

  test('a write older than the stored sequence is ignored; a document without a stored seq takes any write', async () => {
    const writer = new JobWriter(Job, { logger, logs });
    const [id, legacy] = await seed(2);
    await Job.collection.updateOne({ _id: legacy }, { $unset: { seq: 1 } });
    commands = [];

    await writer.write({ id: id!, seq: 5, set: { status: 'VALIDATING', progress: 0.5 }, unset: ['runAt'], log: [line('five')] });
    await writer.write({ id: id!, seq: 3, set: { status: 'INITIATED', progress: 0.1, workerId: 'old' }, log: [line('three')] });
    // The same sequence again (a replay) changes nothing either.
    await writer.write({ id: id!, seq: 5, set: { status: 'FAILED', failureReason: 'replayed' }, log: [line('five again')] });
    const doc = await read(id!);
    expect(doc).toMatchObject({ seq: 5, status: 'VALIDATING', progress: 0.5 });
    expect(doc).not.toHaveProperty('workerId');
    expect(doc).not.toHaveProperty('failureReason');
    expect(await messages(doc)).toEqual(['five']);

    expect(await read(legacy!)).not.toHaveProperty('seq');
    await writer.write({ id: legacy!, seq: 2, set: { status: 'INITIATED', workerId: 'w1' }, log: [line('legacy')] });
    const legacyDoc = await read(legacy!);
    expect(legacyDoc).toMatchObject({ seq: 2, status: 'INITIATED', workerId: 'w1', lastActor: 'test' });
    expect(await messages(legacyDoc)).toEqual(['legacy']);
    expect(commands).toEqual([1, 1, 1, 1]);
  });

  test('200 concurrent writes to 200 jobs: each caller is answered after its own commit, in a few commands', async () => {
    const writer = new JobWriter(Job, { logger, logs });
    const ids = await seed(200);
    commands = [];
    const checked = await Promise.all(
      ids.map((id, i) =>
        writer
          .write({ id, seq: 2, set: { status: 'INITIATED', workerId: `w${i}`, progress: i / 200 }, log: [line(`claimed ${i}`)] })
          .then(() => read(id))
          .then((doc) => {
            // Read right after this caller's promise resolved: its own update is there.
            expect(doc).toMatchObject({ seq: 2, status: 'INITIATED', workerId: `w${i}`, progress: i / 200 });
            return messages(doc);
          })
          .then((lines) => {
            expect(lines).toEqual([`claimed ${i}`]);
            return true;
          }),
      ),
    );
    expect(checked).toHaveLength(200);
    expect(commands.reduce((a, b) => a + b, 0)).toBe(200);
    expect(commands.length).toBeGreaterThanOrEqual(4); // 200 / maxBatch 50
    expect(commands.length).toBeLessThanOrEqual(10);
  });

  test('writes of one job that meet in a batch are merged in sequence order', async () => {
    const writer = new JobWriter(Job, { logger, logs });
    const [id, other] = await seed(2, { workerId: 'w0' });
    const writes: JobWrite[] = [
      { id: id!, seq: 3, set: { progress: 0.3, failureReason: 'from 3' }, log: [line('three')] },
      { id: id!, seq: 4, set: { status: 'VALIDATING', progress: 0.4 }, unset: ['workerId'], log: [line('four'), line('four b')] },
      { id: id!, seq: 2, set: { status: 'INITIATED', workerId: 'w1', progress: 0 }, log: [line('two')] },
      { id: other!, seq: 2, set: { status: 'INITIATED' }, unset: ['workerId'] },
      { id: other!, seq: 3, set: { workerId: 'w3' } },
    ];
    const settled = await writer.writeAll(writes); // issued in one turn: one batch
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(commands).toEqual([2]);

    const doc = await read(id!);
    expect(doc).toMatchObject({ seq: 4, status: 'VALIDATING', progress: 0.4, failureReason: 'from 3' });
    expect(doc).not.toHaveProperty('workerId'); // set by seq 2, unset by seq 4
    expect(await messages(doc)).toEqual(['two', 'three', 'four', 'four b']);
    // A field the newer one sets wins over the older one's unset.
    expect(await read(other!)).toMatchObject({ seq: 3, status: 'INITIATED', workerId: 'w3' });
  });

  test('one failing update fails only its own callers; the others are committed and resolved', async () => {
    const writer = new JobWriter(Job, { logger, logs });
    // Ways to make exactly one update of a batch fail on FerretDB and MongoDB alike, placed in the middle of it.
    const failures: Array<{ name: string; prepare(id: Types.ObjectId): Promise<void>; write(id: Types.ObjectId): JobWrite }> = [
      {
        name: '$set and $unset of the same path',
        prepare: async () => undefined,
        write: (id) => ({ id, seq: 2, set: { status: 'INITIATED', description: 'x' }, unset: ['description'], log: [line('bad')] }),
      },
      {
        name: 'a value mongoose cannot cast (it leaves that update out of the command)',
        prepare: async () => undefined,
        write: (id) => ({ id, seq: 2, set: { status: 'INITIATED', progress: 'half' as unknown as number }, log: [line('bad')] }),
      },
    ];
    for (const failure of failures) {
      const ids = await seed(10);
      const bad = ids[4]!;
      await failure.prepare(bad);
      commands = [];
      const writes = ids.map((id, i) => (id === bad ? failure.write(id) : { id, seq: 2, set: { status: 'INITIATED' as const, workerId: `w${i}` }, log: [line(`ok ${i}`)] }));
      const settled = await writer.writeAll(writes);
      const outcome = settled.map((s) => s.status);
      expect({ name: failure.name, outcome }).toEqual({ name: failure.name, outcome: ids.map((id) => (id === bad ? 'rejected' : 'fulfilled')) });
      for (const [i, id] of ids.entries()) {
        const doc = await read(id);
        if (id === bad) expect(doc).toMatchObject({ seq: 1, status: 'QUEUED' });
        else {
          expect({ name: failure.name, doc }).toMatchObject({ name: failure.name, doc: { seq: 2, status: 'INITIATED', workerId: `w${i}` } });
          expect(await messages(doc)).toEqual([`ok ${i}`]);
        }
      }
      // Tried as one batch first (mongoose leaves out an update it cannot cast), then each update alone.
      expect(commands[0]).toBeGreaterThanOrEqual(9);
      expect(commands.slice(1).every((n) => n === 1)).toBe(true);
    }
  });

  test('a batch larger than maxBatch is split: no command carries more than maxBatch updates', async () => {
    const writer = new JobWriter(Job, { logger, logs, maxBatch: 7 });
    const ids = await seed(30);
    commands = [];
    await Promise.all(ids.map((id) => writer.write({ id, seq: 2, set: { status: 'INITIATED' } })));
    expect(commands.reduce((a, b) => a + b, 0)).toBe(30);
    expect(Math.max(...commands)).toBeLessThanOrEqual(7);
    expect(commands.length).toBeGreaterThanOrEqual(5);
    expect(await Job.collection.countDocuments({ _id: { $in: ids }, seq: 2, status: 'INITIATED' })).toBe(30);
  });

  test('log lines, in the job document or moved: a job keeps at most the cap (5 here); later writes are counted as dropped and their lines kept as the tail', async () => {
    const store = new JobLogStore(JobLog, Job, 5, logger, { delayMs: 60_000 });
    const writer = new JobWriter(Job, { logger, logs: store });
    const shown = async (doc: JobRecord | null) => (await store.linesOf([doc!]))[0]!.map((l) => l.message);
    const [id] = await seed(1);
    for (let seq = 2; seq <= 8; seq++) await writer.write({ id: id!, seq, set: { progress: seq / 10 }, log: [line(`l${seq}`)] });
    await writer.write({ id: id!, seq: 9, set: { status: 'COMPLETED' }, log: [line('l9')] }); // ends the job: queued for the mover
    const lines = await shown(await read(id!));
    expect(lines.slice(0, 5)).toEqual(['l2', 'l3', 'l4', 'l5', 'l6']);
    expect(lines[5]).toMatch(/^3 log lines not kept \(at most 5 per job\)/);
    expect(lines.slice(6)).toEqual(['l9']);
    // Not moved yet (the mover's delay is a minute): the lines are in the job document, each with its write's sequence.
    expect(await JobLog.collection.findOne({ _id: id! })).toBeNull();
    expect((await read(id!))!.recentLog!.map((l) => [l.seq, l.message])).toEqual([2, 3, 4, 5, 6, 7, 8, 9].map((s) => [s, `l${s}`]));
    // Sent again (not newer than the stored sequence): nothing is added.
    await writer.write({ id: id!, seq: 9, set: {}, log: [line('replay')] });
    expect(await shown(await read(id!))).toEqual(lines);
    // Moved: the log collection holds what was shown, the job document no line.
    await store.drain();
    expect(await JobLog.collection.findOne({ _id: id! })).toMatchObject({ n: 5, dropped: 3, seq: 9 });
    expect(await read(id!)).not.toHaveProperty('recentLog');
    expect(await shown(await read(id!))).toEqual(lines);
  });

  test('the mover moves ended jobs\' lines after its delay, many jobs per command, and leaves active jobs\' lines in place', async () => {
    const logCommands: string[] = [];
    const onStart = (event: { commandName: string; command: Record<string, unknown> }) => {
      // The mover's commands (the test's own countDocuments polls are aggregates).
      if (event.command[event.commandName] === 'joblogs' && event.commandName !== 'aggregate') logCommands.push(`${event.commandName} ${((event.command.updates ?? event.command.documents ?? []) as unknown[]).length}`);
    };
    conn.getClient().on('commandStarted', onStart);
    try {
      const store = new JobLogStore(JobLog, Job, 5, logger, { delayMs: 20 });
      const writer = new JobWriter(Job, { logger, logs: store });
      const ids = await seed(31);
      const [active, ended] = [ids[0]!, ids.slice(1)];
      await writer.writeAll(ids.map((id) => ({ id, seq: 2, set: { status: 'INITIATED' as const }, log: [line('claimed')] })));
      await writer.writeAll(ended.map((id) => ({ id, seq: 3, set: { status: 'COMPLETED' as const }, log: [line('completed')] })));
      await until('the 30 ended jobs\' lines moved', async () => (await JobLog.collection.countDocuments({ _id: { $in: ended }, n: 2 })) === 30, 10_000, 20);
      // Which jobs have a log document (none), then each job's whole log document in one insert.
      expect(logCommands).toEqual(['find 0', 'insert 30']);
      await until('the moved lines removed from the jobs', async () => (await Job.collection.countDocuments({ _id: { $in: ended }, recentLog: { $exists: true } })) === 0, 10_000, 20);
      expect((await read(ended[0]!))!.seq).toBe(3);
      expect(await messages(await read(ended[0]!))).toEqual(['claimed', 'completed']);
      // The active job's line is where its write put it.
      expect(await JobLog.collection.findOne({ _id: active })).toBeNull();
      expect(await messages(await read(active))).toEqual(['claimed']);
    } finally {
      conn.getClient().off('commandStarted', onStart);
    }
  });

  test('an active job is moved once this instance has pushed `afterLines` lines into it; later lines stay until its next move', async () => {
    const store = new JobLogStore(JobLog, Job, 50, logger, { delayMs: 60_000, afterLines: 3 });
    const writer = new JobWriter(Job, { logger, logs: store });
    const [id] = await seed(1);
    await writer.write({ id: id!, seq: 2, set: { status: 'INITIATED' }, log: [line('claimed')] });
    await writer.write({ id: id!, seq: 3, set: { progress: 0.5 }, log: [line('half'), line('half b')] });
    await store.drain();
    expect(await JobLog.collection.findOne({ _id: id! })).toMatchObject({ n: 3, seq: 3 });
    expect(await read(id!)).not.toHaveProperty('recentLog');
    await writer.write({ id: id!, seq: 4, set: { progress: 0.9 }, log: [line('almost')] });
    await store.drain(); // nothing queued: one line since the move
    expect((await read(id!))!.recentLog).toHaveLength(1);
    expect(await messages(await read(id!))).toEqual(['claimed', 'half', 'half b', 'almost']);
  });

  test('a job written between a move\'s read and its removal keeps its lines; readers and the next move skip the ones moved already', async () => {
    const store = new JobLogStore(JobLog, Job, 50, logger, { delayMs: 60_000 });
    const writer = new JobWriter(Job, { logger, logs: store });
    const [id] = await seed(1);
    // The state a move leaves when a write (seq 4) came in after its read: lines up to seq 3 in the log
    // collection, the job's document still holding them (the guarded removal did not apply) and the new one.
    const recent = [2, 3, 4].map((seq) => ({ ...line(`l${seq}`), seq }));
    await Job.collection.updateOne({ _id: id! }, { $set: { seq: 4, recentLog: recent } });
    await JobLog.collection.insertOne({ _id: id!, seq: 3, n: 2, entries: [line('l2'), line('l3')] });
    expect(await messages(await read(id!))).toEqual(['l2', 'l3', 'l4']);
    // The job's next move (here: it ends) appends only the newer lines.
    await writer.write({ id: id!, seq: 5, set: { status: 'FAILED' }, log: [line('l5')] });
    await store.drain();
    expect(await JobLog.collection.findOne({ _id: id! })).toMatchObject({ n: 4, seq: 5, entries: [{ message: 'l2' }, { message: 'l3' }, { message: 'l4' }, { message: 'l5' }] });
    expect(await read(id!)).not.toHaveProperty('recentLog');
    expect(await messages(await read(id!))).toEqual(['l2', 'l3', 'l4', 'l5']);
  });

  test('a job removed (retention) between a move\'s read and its append leaves no log document behind', async () => {
    const store = new JobLogStore(JobLog, Job, 50, logger, { delayMs: 60_000 });
    const [id] = await seed(1, { status: 'COMPLETED', seq: 2, recentLog: [{ ...line('created'), seq: 1 }, { ...line('done'), seq: 2 }] });
    // Commands take turns in the lane: hold it, let the move's read queue behind the hold, then queue the
    // removal (what retention does: the job, then its log) behind the read, ahead of the move's next command.
    let release!: () => void;
    const hold = store.lane.run(() => new Promise<void>((r) => (release = r)));
    store.written([{ id: id!, lines: 2, ended: true }]);
    const moving = store.drain();
    await until('the move\'s read waits behind the hold', () => store.lane.queued === 2, 5_000, 1);
    const removal = store.lane.run(async () => {
      await Job.collection.deleteOne({ _id: id! });
      await store.remove([id!]);
    });
    release();
    await Promise.all([hold, removal, moving]);
    expect(await Job.collection.findOne({ _id: id! })).toBeNull();
    expect(await JobLog.collection.findOne({ _id: id! })).toBeNull();
  });

  test('a move the database refuses for one job (its log document malformed) moves the others; that job\'s lines stay in its document, shown to readers', async () => {
    const records: Array<{ level: number; msg: string; jobs?: string[] }> = [];
    const store = new JobLogStore(JobLog, Job, 50, pino({ level: 'warn' }, { write: (l: string) => void records.push(JSON.parse(l)) }), { delayMs: 60_000 });
    const writer = new JobWriter(Job, { logger, logs: store });
    const [good1, bad, good2] = await seed(3);
    await JobLog.collection.insertOne({ _id: bad!, n: 0, entries: 'not an array' as never }); // $push into it is a write error on both backends
    await writer.writeAll([good1!, bad!, good2!].map((id) => ({ id, seq: 2, set: { status: 'COMPLETED' as const }, log: [line(`done ${id.toHexString()}`)] })));
    await store.drain();
    for (const id of [good1!, good2!]) {
      expect(await JobLog.collection.findOne({ _id: id })).toMatchObject({ n: 1, entries: [{ message: `done ${id.toHexString()}` }] });
      expect(await read(id)).not.toHaveProperty('recentLog');
    }
    expect((await read(bad!))!.recentLog).toMatchObject([{ seq: 2, message: `done ${bad!.toHexString()}` }]);
    expect(records.filter((r) => r.level >= 50)).toMatchObject([{ msg: 'job log lines not moved; they stay in the job document', jobs: [bad!.toHexString()] }]);
  });

  test('a job\'s document holds its unmoved lines only: once moved it is back to its size, with the last actor', async () => {
    const store = new JobLogStore(JobLog, Job, 50, logger, { delayMs: 60_000 });
    const writer = new JobWriter(Job, { logger, logs: store });
    const [id] = await seed(1);
    const size = JSON.stringify(await read(id!)).length;
    await writer.write({ id: id!, seq: 2, set: { status: 'FAILED' }, log: [{ at, actor: 'w9', message: 'x'.repeat(5000) }] });
    expect(JSON.stringify(await read(id!)).length).toBeGreaterThan(5000);
    await store.drain();
    const doc = await read(id!);
    expect(doc).not.toHaveProperty('log');
    expect(doc).not.toHaveProperty('recentLog');
    expect(doc!.lastActor).toBe('w9');
    expect(JSON.stringify(doc).length).toBeLessThan(size + 100);
  });
});
