import type { Resolvers } from '../generated/graphql.js';
import { parseObjectId } from '../services/byIds.js';

/**
 * node(id): job ids are bare 24-hex ObjectIds (what workers and scripts pass
 * around); other types carry a prefix: Target:NAME, Worker:WORKER_ID, MaintenanceEvent:ID.
 */
export const nodeResolvers: Resolvers = {
  Query: {
    node: async (_r, { id }, ctx) => {
      if (parseObjectId(id)) {
        const job = await ctx.loaders.jobById.load(id);
        return job ? { __typename: 'Job' as const, ...job } : null;
      }
      const [type, key] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
      if (type === 'Target') {
        const target = await ctx.loaders.targetByName.load(key);
        return target ? { __typename: 'Target' as const, ...target } : null;
      }
      if (type === 'Worker') {
        const worker = await ctx.loaders.workerById.load(key);
        return worker ? { __typename: 'Worker' as const, ...worker } : null;
      }
      if (type === 'MaintenanceEvent') {
        const event = await ctx.services.maintenance.byId(key);
        return event ? { __typename: 'MaintenanceEvent' as const, ...event } : null;
      }
      return null;
    },
  },
  Node: {
    __resolveType: (n) => (n as unknown as { __typename: 'Job' | 'Target' | 'MaintenanceEvent' | 'Worker' }).__typename,
  },
};
