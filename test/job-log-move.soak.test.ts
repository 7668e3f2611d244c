import { Types } from 'mongoose';
import { pino } from 'pino';
import { connectDatabase } from '../src/db/mongo.js';
import { jobModel } from '../src/models/job.js';
import { jobLogModel } from '../src/models/jobLog.js';
import { JobLogStore } from '../src/services/jobLogs.js';
import { JobWriter } from '../src/services/jobWriter.js';
import { uniqueName } from './harness/app.js';
import { startPausable, whyNotPausable } from './harness/backends.js';
import { until } from './harness/until.js';

/**
 * The log mover when the database does not answer: the move fails within its bound, the lines stay in
 * the job document (nothing lost), and the move is tried again after the mover's delay. Runs with the
 * soak: it pauses a FerretDB of its own, and when the try after the resume runs depends on the machine's
 * timing (three tries in all).
 */
const pausable = whyNotPausable('mongodb');
(pausable ? test.skip : test)('a move that gets no answer leaves the lines in the job and is tried again once the database answers', async () => {
  const own = await startPausable('mongodb');
  const records: Array<{ level: number; msg: string; again?: number }> = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void records.push(JSON.parse(line)) });
  const { conn } = await connectDatabase(own.url, uniqueName(import.meta.url), { timeoutMs: 300 });
  try {
    const Job = jobModel(conn);
    const JobLog = jobLogModel(conn);
    const store = new JobLogStore(JobLog, Job, 100, logger, { delayMs: 200, timeoutMs: 300 });
    const writer = new JobWriter(Job, { logger, logs: store });
    const at = new Date(Date.UTC(2024, 0, 1));
    const id = new Types.ObjectId();
    await Job.collection.insertOne({
      _id: id, target: 'DS_PAUSE', operation: 'ADD', status: 'INITIATED', seq: 1, relatedTargets: ['DS_PAUSE'], createdBy: 'test',
      createdAt: at, updatedAt: at, priority: 0, attempts: 1, maxAttempts: 3, cancelRequested: false,
      recentLog: [{ at, actor: 'test', message: 'created', seq: 1 }],
    });
    await writer.write({ id, seq: 2, set: { status: 'COMPLETED' }, log: [{ at, actor: 'w1', message: 'done', status: 'COMPLETED' }] });

    await own.pause(); // before the mover's delay (200 ms) has passed
    await until('a failed move', () => records.some((r) => r.msg.startsWith('job log move failed')), 10_000, 20);
    own.resume();
    expect(records.find((r) => r.msg.startsWith('job log move failed'))).toMatchObject({ again: 1 });
    // Moved by a later try: the log collection has both lines, the job none, and Job.log shows each once.
    await until('the lines moved', async () => (await JobLog.collection.findOne({ _id: id }))?.n === 2, 10_000, 20);
    expect(await Job.collection.findOne({ _id: id })).not.toHaveProperty('recentLog');
    expect((await store.linesOf([{ _id: id }]))[0]!.map((l) => l.message)).toEqual(['created', 'done']);
    expect(records.filter((r) => r.level >= 50)).toEqual([]);
  } finally {
    own.resume();
    await conn.close();
  }
});
