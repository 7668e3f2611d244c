import { GraphQLError } from 'graphql';
import type { Resolvers } from '../generated/graphql.js';

export const statsResolvers: Resolvers = {
  Query: {
    jobStats: (_r, { window, bucket }, ctx) => {
      const stats = ctx.services.observability.stats;
      if (!stats) throw new GraphQLError('job stats are turned off on this service (JOB_STATS=false)', { extensions: { code: 'BAD_REQUEST' } });
      return stats.read(window, bucket);
    },
  },
};
