import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from '../src/schema.js';

/**
 * docs/worker-protocol.md lists the GraphQL documents a worker in any language sends (the Python client
 * sends exactly these; its tests check that). Each must be valid against the schema, so the page cannot
 * drift from the contract.
 */
const doc = readFileSync(path.resolve('docs/worker-protocol.md'), 'utf8');
const blocks = [...doc.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

function operationName(source: string): string | undefined {
  const op = parse(source).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return op?.name?.value;
}

test('every GraphQL document in docs/worker-protocol.md is valid against the schema', () => {
  const schema = buildSchema();
  expect(blocks.length).toBeGreaterThan(0);
  const problems = blocks.flatMap((source) => validate(schema, parse(source)).map((e) => `${operationName(source)}: ${e.message}`));
  expect(problems).toEqual([]);
});

test('the page covers every worker mutation and the client calls', () => {
  expect(blocks.map(operationName).sort()).toEqual(
    ['Job', 'JobCancel', 'JobClaim', 'JobComplete', 'JobFail', 'JobReportProgress', 'JobRetry', 'Jobs', 'JobsCreate', 'MaintenanceSet', 'Worker', 'WorkerHeartbeat', 'WorkerSetDisabled'].sort(),
  );
});
