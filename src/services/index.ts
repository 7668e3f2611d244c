import type { StatusService } from './status.js';

/** The services resolvers call; one instance each per service instance. */
export interface Services {
  status: StatusService;
}
