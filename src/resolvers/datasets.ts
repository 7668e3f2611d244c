import type { Resolvers } from '../generated/graphql.js';

export const datasetResolvers: Resolvers = {
  Query: {
    importableDatasets: (_r, _a, ctx) => ctx.services.datasets.list(),
  },
  Mutation: {
    importableDatasetDelete: (_r, { input }, ctx) => ctx.services.datasets.delete(input.name),
  },
};
