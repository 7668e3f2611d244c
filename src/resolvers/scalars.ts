import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badInput as invalid } from '../services/pagination.js';

/** ISO-8601 date-time in, Date inside, ISO-8601 string out. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    const d = value instanceof Date ? value : new Date(value as string | number);
    if (Number.isNaN(d.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return d.toISOString();
  },
  parseValue(value) {
    if (typeof value !== 'string') throw invalid('DateTime must be an ISO-8601 string');
    return parseIso(value);
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw invalid('DateTime must be an ISO-8601 string');
    return parseIso(ast.value);
  },
});

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

function parseIso(s: string): Date {
  const d = new Date(s);
  if (!ISO.test(s) || Number.isNaN(d.getTime())) throw invalid(`DateTime: "${s.slice(0, 40)}" is not an ISO-8601 date-time`);
  return d;
}

function literalToJson(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalToJson(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalToJson(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw invalid('JSON: unsupported literal');
  }
}

/** Arbitrary JSON. Values are stored as JSON strings (DESIGN.md rule 6), so nothing here reaches a query as an operator. */
export const JSONScalar = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, variables) => literalToJson(ast, variables),
});
