import type { GraphQLContext } from '../context.js';
import type { Resolvers } from '../generated/graphql.js';
import type { JobEventView } from '../services/events.js';

/** The event itself is the field's value. */
const payload = <T>(event: T): T => event;

/**
 * A subscription keeps one context (and its DataLoaders) for its whole life:
 * each job event replaces what the loaders hold with the event's own job, so
 * nothing is stale; the job's target is read only when a field other than its
 * name is asked for (once per event for all subscribers sharing the execution).
 */
function jobEvent(event: JobEventView, _args: unknown, ctx: GraphQLContext): JobEventView {
  const id = event.job._id.toHexString();
  ctx.loaders.jobById.clear(id).prime(id, event.job);
  ctx.loaders.targetByName.clear(event.job.target);
  return event;
}

/** Each subscription is fed by the event bus; the payload is the field's value. */
export const subscriptionResolvers: Resolvers = {
  Subscription: {
    jobUpdated: { subscribe: (_r, { id }, ctx) => ctx.services.events.jobUpdated(id, ctx.signal), resolve: jobEvent },
    jobEvents: { subscribe: (_r, { filter }, ctx) => ctx.services.events.jobEvents(filter, ctx.signal), resolve: jobEvent },
    maintenanceStatusChanged: { subscribe: (_r, _a, ctx) => ctx.services.events.maintenanceChanges(ctx.signal), resolve: payload },
    workerEvents: { subscribe: (_r, _a, ctx) => ctx.services.events.workerEvents(ctx.signal), resolve: payload },
    queueStatsChanged: { subscribe: (_r, _a, ctx) => ctx.services.events.queueStats(ctx.signal), resolve: payload },
  },
};
