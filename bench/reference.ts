import { ApolloServer } from '@apollo/server';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify from 'fastify';
import { ownCpuUs, serveChild } from './child.js';

/**
 * The reference, in a process of its own (forked by the query scenario, one
 * argument: the number of jobs): a bare @apollo/server on the same HTTP stack
 * (Fastify + @as-integrations/fastify) serving the same `jobs(first:) { nodes
 * { id status target { name } } }` shape from memory. No auth, no limits, no
 * DataLoader, no database: what the stack costs on its own. Answers 'stats'
 * with its CPU so far, like the service's process.
 */
const typeDefs = `#graphql
  type Target { name: String! }
  type Job { id: ID! status: String! target: Target! }
  type JobConnection { nodes: [Job!]! }
  type Query { jobs(first: Int): JobConnection! }
`;

interface MemJob {
  id: string;
  status: string;
  target: string;
}

export interface ReferenceReady {
  url: string;
}

const count = Number(JSON.parse(process.argv[2]!));

serveChild<ReferenceReady>(async () => {
  const jobs: MemJob[] = Array.from({ length: count }, (_, i) => ({
    id: (0x650000000000000000000000n + BigInt(i)).toString(16).padStart(24, '0'),
    status: 'QUEUED',
    target: `REF_${i}`,
  }));
  const resolvers = {
    Query: { jobs: (_: unknown, args: { first?: number | null }) => ({ nodes: jobs.slice(0, Math.min(100, args.first ?? 20)) }) },
    Job: { target: (job: MemJob) => ({ name: job.target }) },
  };
  const fastify = Fastify({ logger: false });
  const apollo = new ApolloServer({ typeDefs, resolvers, plugins: [fastifyApolloDrainPlugin(fastify)] });
  await apollo.start();
  fastify.route({ url: '/graphql', method: ['GET', 'POST', 'OPTIONS'], handler: fastifyApolloHandler(apollo) });
  await fastify.listen({ host: '127.0.0.1', port: 0 });
  const addr = fastify.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    ready: { url: `http://127.0.0.1:${port}` },
    handlers: { stats: () => ({ cpuUs: ownCpuUs() }) },
    close: async () => {
      await fastify.close();
      await apollo.stop();
    },
  };
});
