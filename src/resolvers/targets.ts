import type { GraphQLContext } from '../context.js';
import type { Resolvers } from '../generated/graphql.js';
import type { JobRecord } from '../models/job.js';
import type { TargetRecord } from '../models/target.js';
import { targetGlobalId, type TargetRef } from '../services/targets.js';
import { listOptions } from './connections.js';

/** The stored record of a target (one batched read per request for every target that needs it). */
async function recordOf(t: TargetRef, ctx: GraphQLContext): Promise<TargetRecord | null> {
  return 'lastAction' in t ? t : ctx.loaders.targetByName.load(t.name);
}

/** The job of a target's last action, whose status and changes the target shows. */
async function lastJob(t: TargetRef, ctx: GraphQLContext): Promise<JobRecord | null> {
  const record = await recordOf(t, ctx);
  if (!record) return 'job' in t ? (t.job ?? null) : null;
  return ctx.loaders.jobById.load(record.lastAction.jobId.toHexString());
}

export const targetResolvers: Resolvers = {
  Query: {
    target: (_r, { name }, ctx) => ctx.loaders.targetByName.load(name),
    targets: (_r, args, ctx, info) => ctx.services.targets.list(args, listOptions(info)),
  },
  Target: {
    id: (t) => targetGlobalId(t.name),
    name: (t) => t.name,
    status: async (t, _a, ctx) => (await lastJob(t, ctx))?.status ?? (await recordOf(t, ctx))!.status,
    lastUpdatedAt: async (t, _a, ctx) => {
      const [record, job] = await Promise.all([recordOf(t, ctx), lastJob(t, ctx)]);
      const times = [record?.lastUpdatedAt, job?.updatedAt].filter((d): d is Date => d instanceof Date);
      return new Date(Math.max(...times.map((d) => d.getTime())));
    },
    lastUpdatedBy: async (t, _a, ctx) => {
      const [record, job] = await Promise.all([recordOf(t, ctx), lastJob(t, ctx)]);
      const jobActor = job?.lastActor ?? job?.log?.at(-1)?.actor;
      if (record && (!job || !jobActor || record.lastUpdatedAt > job.updatedAt)) return record.lastUpdatedBy;
      return jobActor ?? job?.createdBy ?? '';
    },
    lastAction: async (t, _a, ctx) => {
      const record = await recordOf(t, ctx);
      if (record) return record.lastAction;
      const job = 'job' in t ? t.job : undefined;
      return { operation: job!.operation, status: job!.status, releaseStatus: job!.releaseStatus ?? null, bumpFromVersion: job!.bumpFromVersion ?? null, bumpToVersion: job!.bumpToVersion ?? null, jobId: job!._id };
    },
    jobs: (t, args, ctx, info) => ctx.services.jobs.list({ ...args, relatedTarget: t.name }, listOptions(info)),
  },
  TargetAction: {
    // A completed bump's action on other datasets is stored as COMPLETED; a job's own action follows the job.
    status: async (a, _args, ctx) => (a.status === 'COMPLETED' ? a.status : ((await ctx.loaders.jobById.load(a.jobId.toHexString()))?.status ?? a.status)),
    job: (a, _args, ctx) => ctx.loaders.jobById.load(a.jobId.toHexString()),
  },
};
