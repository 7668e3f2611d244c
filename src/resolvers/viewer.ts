import type { Resolvers } from '../generated/graphql.js';

export const viewerResolvers: Resolvers = {
  Query: {
    viewer: (_root, _args, ctx) => ctx.principal!,
    serviceStatus: (_root, _args, ctx) => ctx.services.status.status(),
  },
  Viewer: {
    tokenExpiresAt: (p) => p.expiresAt,
  },
};
