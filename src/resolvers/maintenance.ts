import type { Resolvers } from '../generated/graphql.js';
import { listOptions } from './connections.js';

export const maintenanceResolvers: Resolvers = {
  Query: {
    maintenanceStatus: (_r, _a, ctx) => ctx.services.maintenance.status(),
    maintenanceHistory: (_r, args, ctx, info) => ctx.services.maintenance.history(args, listOptions(info)),
  },
  Mutation: {
    maintenanceSet: (_r, { input }, ctx) => ctx.services.maintenance.set(input.paused, input.message, ctx.principal!.id),
  },
  MaintenanceEvent: {
    id: (e) => `MaintenanceEvent:${e._id.toHexString()}`,
  },
};
