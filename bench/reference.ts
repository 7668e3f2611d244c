import { ApolloServer } from '@apollo/server';
import { fastifyApolloDrainPlugin, fastifyApolloHandler } from '@as-integrations/fastify';
import Fastify from 'fastify';

/**
 * The reference: a bare @apollo/server on the same HTTP stack (Fastify +
 * @as-integrations/fastify) serving the same `jobs(first:) { nodes { id status
 * target { name } } }` shape from memory. No auth, no limits, no DataLoader,
 * no database: what the stack costs on its own.
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

export interface Reference {
  url: string;
  close(): Promise<void>;
}

export async function startReference(count: number): Promise<Reference> {
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
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await fastify.close();
      await apollo.stop();
    },
  };
}
