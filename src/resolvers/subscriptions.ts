import type { Resolvers } from '../generated/graphql.js';

/** The event itself is the field's value. */
const payload = <T>(event: T): T => event;

/** Each subscription is fed by the event bus; the payload is the field's value. */
export const subscriptionResolvers: Resolvers = {
  Subscription: {
    jobUpdated: { subscribe: (_r, { id }, ctx) => ctx.services.events.jobUpdated(id, ctx.signal), resolve: payload },
    jobEvents: { subscribe: (_r, { filter }, ctx) => ctx.services.events.jobEvents(filter, ctx.signal), resolve: payload },
    maintenanceStatusChanged: { subscribe: (_r, _a, ctx) => ctx.services.events.maintenanceChanges(ctx.signal), resolve: payload },
    workerEvents: { subscribe: (_r, _a, ctx) => ctx.services.events.workerEvents(ctx.signal), resolve: payload },
    queueStatsChanged: { subscribe: (_r, _a, ctx) => ctx.services.events.queueStats(ctx.signal), resolve: payload },
  },
};
