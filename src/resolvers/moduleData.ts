import type { Resolvers } from '../generated/graphql.js';
import { parseJson } from './json.js';

export const moduleDataResolvers: Resolvers = {
  Query: {
    moduleData: (_r, { module, name }, ctx) => ctx.services.moduleData.get(module, name),
  },
  Mutation: {
    moduleDataSet: (_r, { input }, ctx) => ctx.services.moduleData.set(input.module, input.name, input.data, ctx.principal!.id),
    moduleDataDelete: (_r, { input }, ctx) => ctx.services.moduleData.delete(input.module, input.name),
  },
  ModuleData: {
    data: (d) => parseJson(d.data),
  },
};
