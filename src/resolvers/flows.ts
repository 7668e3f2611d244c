import type { Resolvers } from '../generated/graphql.js';
import { listOptions } from './connections.js';

export const flowResolvers: Resolvers = {
  Mutation: {
    flowCreate: async (_r, { input }, ctx) => {
      const r = await ctx.services.lifecycle.createFlow(input, ctx.principal!.id);
      return { flow: r.finalJob ? { final: r.finalJob } : null, results: r.results, existingJob: r.existingJob, userErrors: r.userErrors };
    },
  },
  Job: {
    flow: (j, _a, ctx) => ctx.services.flows.of(j, (id) => ctx.loaders.jobById.load(id)),
    parent: (j, _a, ctx) => (j.parent ? ctx.loaders.jobById.load(j.parent.toHexString()) : null),
  },
  Flow: {
    id: (f) => f.final._id.toHexString(),
    finalJob: (f) => f.final,
    onChildFailure: (f) => f.final.flow!.onChildFailure,
    total: (f) => f.final.flow!.total ?? 0,
    counts: (f, _a, ctx) => ctx.services.flows.counts(f.final._id),
    children: (f, args, ctx, info) => ctx.services.flows.children(f.final._id, args, listOptions(info)),
  },
};
