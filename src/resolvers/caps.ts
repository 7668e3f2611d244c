import type { Resolvers } from '../generated/graphql.js';

export const capResolvers: Resolvers = {
  Mutation: {
    concurrencyCapSet: (_r, { input }, ctx) => ctx.services.caps.set(input, ctx.principal!.id),
    concurrencyCapDelete: (_r, { input }, ctx) => ctx.services.caps.remove(input.operation, input.targetPrefix),
  },
  Queue: {
    caps: (_q, _a, ctx) => ctx.services.caps.list(),
  },
};
