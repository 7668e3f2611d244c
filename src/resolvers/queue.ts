import type { Resolvers } from '../generated/graphql.js';
import { listOptions } from './connections.js';

export const queueResolvers: Resolvers = {
  Query: {
    queue: (_r, _a, ctx) => ctx.services.queue.view(),
  },
  Mutation: {
    queuePause: async (_r, _a, ctx) => ({ queue: await ctx.services.queue.setPaused(true, ctx.principal!.id), userErrors: [] }),
    queueResume: async (_r, _a, ctx) => ({ queue: await ctx.services.queue.setPaused(false, ctx.principal!.id), userErrors: [] }),
    queueClear: async (_r, { input }, ctx) => {
      const cancelledCount = await ctx.services.lifecycle.cancelWaiting(input.reason, ctx.principal!.id);
      return { cancelledCount, queue: await ctx.services.queue.view(), userErrors: [] };
    },
  },
  Queue: {
    counts: (_q, _a, ctx) => ctx.services.queue.countsByStatus(),
    jobs: (_q, args, ctx, info) => ctx.services.queue.jobsInClaimOrder(args, listOptions(info)),
  },
};
