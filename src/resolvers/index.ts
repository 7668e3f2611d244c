import type { Resolvers } from '../generated/graphql.js';
import { DateTime, JSONScalar } from './scalars.js';
import { viewerResolvers } from './viewer.js';

/** Every resolver map, merged. Resolvers stay thin: read args, call a service or loader, map the result. */
export const resolvers: Resolvers[] = [{ DateTime, JSON: JSONScalar }, viewerResolvers];
