import type { Resolvers } from '../generated/graphql.js';
import { listOptions } from './connections.js';
import { parseJson } from './json.js';

export const scheduleResolvers: Resolvers = {
  Query: {
    schedules: (_r, args, ctx, info) => ctx.services.schedules.list(args, listOptions(info)),
    schedule: (_r, { id }, ctx) => ctx.services.schedules.byId(id),
    scheduleTimesPreview: (_r, { cron, timeZone, count }, ctx) => ctx.services.schedules.preview(cron, timeZone, count),
  },
  Mutation: {
    scheduleCreate: (_r, { input }, ctx) => ctx.services.schedules.create(input, ctx.principal!.id),
    scheduleUpdate: (_r, { input }, ctx) => ctx.services.schedules.update(input, ctx.principal!.id),
    scheduleDelete: (_r, { input }, ctx) => ctx.services.schedules.remove(input.id),
    schedulePause: (_r, { input }, ctx) => ctx.services.schedules.setPaused(input.id, true, ctx.principal!.id),
    scheduleResume: (_r, { input }, ctx) => ctx.services.schedules.setPaused(input.id, false, ctx.principal!.id),
  },
  Schedule: {
    id: (s) => s._id.toHexString(),
    job: (s) => parseJson(s.template),
    operation: (s) => (JSON.parse(s.template) as { operation: never }).operation,
    target: (s) => (JSON.parse(s.template) as { target: string }).target,
    nextRunAt: (s) => (s.paused ? null : s.nextRunAt),
    nextRuns: (s, { count }, ctx) => ctx.services.schedules.nextRuns(s, count ?? 5),
    lastRuns: (s) => s.lastRuns,
  },
  ScheduleRun: {
    job: (r, _a, ctx) => (r.jobId ? ctx.loaders.jobById.load(r.jobId.toHexString()) : null),
  },
};
