import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { applyAuthDirective } from './auth/directive.js';
import { resolvers } from './resolvers/index.js';

/** schema/ at the project root, from src/ or dist/src/. */
function schemaDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const candidate = path.join(dir, 'schema');
    try {
      if (readdirSync(candidate).some((f) => f.endsWith('.graphql'))) return candidate;
    } catch {
      // keep walking up
    }
    dir = path.dirname(dir);
  }
  throw new Error('schema/*.graphql not found');
}

export function loadTypeDefs(): string[] {
  const dir = schemaDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
}

/** The executable schema with resolvers and @auth applied; shared by HTTP and graphql-ws. */
export function buildSchema(): GraphQLSchema {
  return applyAuthDirective(makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers: resolvers as never }));
}
