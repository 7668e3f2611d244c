import type { Resolvers } from '../generated/graphql.js';
import { isTerminal } from '../services/jobRules.js';
import { parseJson } from './json.js';
import { listOptions } from './connections.js';

export const jobResolvers: Resolvers = {
  Query: {
    job: (_r, { id }, ctx) => ctx.loaders.jobById.load(id),
    jobs: async (_r, args, ctx, info) => {
      const page = await ctx.services.jobs.list(args, listOptions(info));
      // The page's jobs are what their targets' status is read from: no second read.
      for (const job of page.nodes) ctx.loaders.jobById.prime(job._id.toHexString(), job);
      return page;
    },
  },
  Mutation: {
    jobsCreate: (_r, { input }, ctx) => ctx.services.lifecycle.create(input.items, ctx.principal!.id),
    jobUpdate: (_r, { input }, ctx) => ctx.services.lifecycle.update(input, ctx.principal!.id),
    jobCancel: (_r, { input }, ctx) => ctx.services.lifecycle.cancel(input.id, input.reason, ctx.principal!.id),
    jobRetry: (_r, { input }, ctx) => ctx.services.lifecycle.retry(input.id, ctx.principal!.id),
  },
  Job: {
    id: (j) => j._id.toHexString(),
    // The name is on the job: the target's record is read only for its other fields.
    target: (j) => ({ name: j.target, job: j }),
    terminal: (j) => isTerminal(j.status),
    parameters: (j) => j,
    log: (j, _a, ctx) => ctx.loaders.jobLog.load(j),
    retryOf: (j, _a, ctx) => (j.retryOf ? ctx.loaders.jobById.load(j.retryOf.toHexString()) : null),
    retriedBy: (j, _a, ctx) => (j.retriedBy ? ctx.loaders.jobById.load(j.retriedBy.toHexString()) : null),
    worker: (j, _a, ctx) => (j.workerId ? ctx.loaders.workerById.load(j.workerId) : null),
  },
  JobParameters: {
    payload: (j) => parseJson(j.payload),
  },
};
