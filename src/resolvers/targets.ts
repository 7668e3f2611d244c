import type { Resolvers } from '../generated/graphql.js';
import { targetGlobalId } from '../services/targets.js';
import { listOptions } from './connections.js';

export const targetResolvers: Resolvers = {
  Query: {
    target: (_r, { name }, ctx) => ctx.loaders.targetByName.load(name),
    targets: (_r, args, ctx, info) => ctx.services.targets.list(args, listOptions(info)),
  },
  Target: {
    id: (t) => targetGlobalId(t.name),
    jobs: (t, args, ctx, info) => ctx.services.jobs.list({ ...args, relatedTarget: t.name }, listOptions(info)),
  },
  TargetAction: {
    job: (a, _args, ctx) => ctx.loaders.jobById.load(a.jobId.toHexString()),
  },
};
