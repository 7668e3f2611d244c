import type { Resolvers } from '../generated/graphql.js';
import { targetGlobalId } from '../services/targets.js';

export const targetResolvers: Resolvers = {
  Query: {
    target: (_r, { name }, ctx) => ctx.loaders.targetByName.load(name),
    targets: (_r, args, ctx) => ctx.services.targets.list(args),
  },
  Target: {
    id: (t) => targetGlobalId(t.name),
    jobs: (t, args, ctx) => ctx.services.jobs.list({ ...args, relatedTarget: t.name }),
  },
  TargetAction: {
    job: (a, _args, ctx) => ctx.loaders.jobById.load(a.jobId.toHexString()),
  },
};
