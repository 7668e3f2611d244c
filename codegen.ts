import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Schema-first types: schema/*.graphql → src/generated/graphql.ts.
 * The output is committed; `npm run codegen:check` (part of the test command)
 * fails when it drifts from the schema.
 */
const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema/*.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        useTypeImports: true,
        contextType: '../context.js#GraphQLContext',
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'Date', JSON: 'unknown' },
        useIndexSignature: false,
        mappers: {
          Viewer: '../auth/principal.js#Principal',
        },
      },
    },
  },
};

export default config;
