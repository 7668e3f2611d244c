import type { Resolvers } from '../generated/graphql.js';
import { capResolvers } from './caps.js';
import { connectionResolvers } from './connections.js';
import { DateTime, JSONScalar } from './scalars.js';
import { datasetResolvers } from './datasets.js';
import { flowResolvers } from './flows.js';
import { jobResolvers } from './jobs.js';
import { maintenanceResolvers } from './maintenance.js';
import { moduleDataResolvers } from './moduleData.js';
import { nodeResolvers } from './node.js';
import { queueResolvers } from './queue.js';
import { statsResolvers } from './stats.js';
import { scheduleResolvers } from './schedules.js';
import { subscriptionResolvers } from './subscriptions.js';
import { targetResolvers } from './targets.js';
import { viewerResolvers } from './viewer.js';
import { volumeResolvers } from './volume.js';
import { workerResolvers } from './workers.js';

/** Every resolver map, merged. Resolvers stay thin: read args, call a service or loader, map the result. */
export const resolvers: Resolvers[] = [
  { DateTime, JSON: JSONScalar },
  connectionResolvers,
  viewerResolvers,
  nodeResolvers,
  jobResolvers,
  targetResolvers,
  datasetResolvers,
  maintenanceResolvers,
  moduleDataResolvers,
  queueResolvers,
  capResolvers,
  flowResolvers,
  scheduleResolvers,
  workerResolvers,
  subscriptionResolvers,
  statsResolvers,
  volumeResolvers,
];
