import type { Resolvers } from '../generated/graphql.js';
import { parseJson } from './json.js';
import { listOptions } from './connections.js';

export const workerResolvers: Resolvers = {
  Query: {
    workers: (_r, args, ctx, info) => ctx.services.workers.list(args, listOptions(info)),
    worker: (_r, { workerId }, ctx) => ctx.loaders.workerById.load(workerId),
  },
  Mutation: {
    workerHeartbeat: (_r, { input }, ctx) => ctx.services.workers.heartbeat(input),
    jobClaim: (_r, { input }, ctx) => ctx.services.lifecycle.claim(input, ctx.signal),
    jobReportProgress: (_r, { input }, ctx) => ctx.services.lifecycle.progress(input, ctx.principal!.id),
    jobComplete: (_r, { input }, ctx) => ctx.services.lifecycle.complete(input, ctx.principal!.id),
    jobFail: (_r, { input }, ctx) => ctx.services.lifecycle.fail(input, ctx.principal!.id),
    workerSetDisabled: (_r, { input }, ctx) => ctx.services.workers.setDisabled(input.workerId, input.disabled),
    workerRemove: (_r, { input }, ctx) => ctx.services.workers.remove(input.workerId),
  },
  Worker: {
    id: (w) => `Worker:${w.workerId}`,
    status: (w) => (w.alive ? w.status : null),
    currentJob: (w, _a, ctx) => (w.currentJobId ? ctx.loaders.jobById.load(w.currentJobId) : null),
    info: (w) => parseJson(w.info),
  },
  JobReportProgressPayload: {
    job: (p, _a, ctx) => p.job ?? (p.jobId ? ctx.loaders.jobById.load(p.jobId) : null),
  },
  JobLease: {
    expiresAt: (l) => l.expiresAt,
    traceparent: (l) => l.job.traceparent ?? null,
  },
};
