import type { Resolvers } from '../generated/graphql.js';
import { parseJson } from './json.js';
import { listOptions } from './connections.js';

/** Bulk actions by filter, the dead-letter counts and retention (services: bulkActions, jobs, retention). */
export const volumeResolvers: Resolvers = {
  Query: {
    bulkAction: (_r, { id }, ctx) => ctx.services.bulk.byId(id),
    bulkActions: (_r, args, ctx, info) => ctx.services.bulk.list(args, listOptions(info)),
    deadLetterCounts: (_r, { filter }, ctx) => ctx.services.jobs.deadLetterCounts(filter),
    retention: (_r, _a, ctx) => ctx.services.retention.view(),
  },
  Mutation: {
    jobsCancel: (_r, { input }, ctx) => ctx.services.bulk.start('CANCEL', input, ctx.principal!.id),
    jobsRetry: (_r, { input }, ctx) => ctx.services.bulk.start('RETRY', input, ctx.principal!.id),
  },
  BulkAction: {
    id: (a) => a._id.toHexString(),
    filter: (a) => parseJson(a.filter),
  },
  BulkActionFailure: {
    jobId: (f) => f.jobId.toHexString(),
    job: (f, _a, ctx) => ctx.loaders.jobById.load(f.jobId.toHexString()),
  },
  BulkActionConnection: { totalCount: (c) => c.totalCount() },
};
