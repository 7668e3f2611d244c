import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { LimitsConfig } from './config.js';

/**
 * The one home of the request limits. HTTP (Apollo) and graphql-ws enforce the same
 * ones, all before any resolver runs:
 * - tokens: in the parser (graphql-js `maxTokens`), so a huge document is never built;
 * - depth, aliases, fields: validation rules below, over each operation with fragments expanded;
 * - body, WebSocket frame and operations per socket: in server.ts (Fastify, ws, onSubscribe).
 */

export const LIMIT_CODE = 'QUERY_LIMIT_EXCEEDED';

export type LimitName = 'depth' | 'aliases' | 'fields' | 'tokens' | 'subscriptionsPerSocket';

/** An error a client can fix: which limit, its maximum and, when known, the value that passed it. */
export function limitError(limit: LimitName, max: number, message: string, actual?: number, node?: OperationDefinitionNode): GraphQLError {
  return new GraphQLError(message, {
    nodes: node,
    extensions: { code: LIMIT_CODE, limit, max, ...(actual === undefined ? {} : { actual }) },
  });
}

interface Measure {
  /** Deepest field nesting: `{ viewer { id } }` is 2. Introspection subtrees are not counted (see below). */
  depth: number;
  aliases: number;
  /** Field selections after fragment expansion (a field inside a fragment spread twice counts twice). */
  fields: number;
  /** The walk stopped at `fields` = limit + 1, so every count is a lower bound. */
  truncated: boolean;
}

/** Fragment names spread on the way to a selection set (a linked list: cheap to extend, shared by siblings). */
interface Path {
  name: string;
  parent: Path | undefined;
}

function onPath(path: Path | undefined, name: string): boolean {
  for (let p = path; p; p = p.parent) if (p.name === name) return true;
  return false;
}

/** Fields whose subtree is left out of the depth: the standard introspection query is 15 deep. */
const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/**
 * Walks one operation with an explicit stack (no recursion, so no stack overflow on deep
 * documents). Fragment cycles are skipped here (NoFragmentCyclesRule reports them), and the
 * walk stops once the field count passes its limit, so a fragment "bomb" that would expand
 * to millions of fields costs at most `maxFields` steps of field work.
 * Introspection subtrees still count as fields and aliases, which bounds their cost; their
 * depth does not, so GraphiQL and other tools work when introspection is enabled.
 */
function measure(op: OperationDefinitionNode, fragment: (name: string) => FragmentDefinitionNode | null | undefined, maxFields: number): Measure {
  const m: Measure = { depth: 0, aliases: 0, fields: 0, truncated: false };
  // depth is null inside an introspection subtree.
  const stack: Array<{ selections: readonly SelectionNode[]; depth: number | null; path: Path | undefined }> = [
    { selections: op.selectionSet.selections, depth: 0, path: undefined },
  ];
  for (let top = stack.pop(); top; top = stack.pop()) {
    for (const sel of top.selections) {
      if (sel.kind === Kind.FIELD) {
        const depth = top.depth === null || INTROSPECTION_ROOTS.has(sel.name.value) ? null : top.depth + 1;
        m.fields++;
        if (sel.alias) m.aliases++;
        if (depth !== null && depth > m.depth) m.depth = depth;
        if (m.fields > maxFields) {
          m.truncated = true;
          return m;
        }
        if (sel.selectionSet) stack.push({ selections: sel.selectionSet.selections, depth, path: top.path });
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        stack.push({ selections: sel.selectionSet.selections, depth: top.depth, path: top.path });
      } else {
        const name = sel.name.value;
        const def = fragment(name);
        if (def && !onPath(top.path, name)) stack.push({ selections: def.selectionSet.selections, depth: top.depth, path: { name, parent: top.path } });
      }
    }
  }
  return m;
}

/**
 * Depth, alias and field-count rules. The three share one walk per operation: the first rule
 * to reach an operation measures it, the others read the result (cached by node, weakly).
 */
export function limitRules(limits: Pick<LimitsConfig, 'depth' | 'aliases' | 'fields'>): ValidationRule[] {
  const cache = new WeakMap<OperationDefinitionNode, Measure>();
  const measured = (context: ValidationContext, op: OperationDefinitionNode): Measure => {
    let m = cache.get(op);
    if (!m) {
      m = measure(op, (name) => context.getFragment(name), limits.fields);
      cache.set(op, m);
    }
    return m;
  };
  const atLeast = (m: Measure) => (m.truncated ? 'at least ' : '');
  const opName = (op: OperationDefinitionNode) => (op.name ? `Operation "${op.name.value}"` : 'The operation');

  const depthRule: ValidationRule = (context) => ({
    OperationDefinition(op) {
      const m = measured(context, op);
      if (m.depth > limits.depth) {
        context.reportError(limitError('depth', limits.depth, `${opName(op)} is ${atLeast(m)}${m.depth} levels deep; the limit is ${limits.depth}.`, m.depth, op));
      }
    },
  });
  const aliasRule: ValidationRule = (context) => ({
    OperationDefinition(op) {
      const m = measured(context, op);
      if (m.aliases > limits.aliases) {
        context.reportError(limitError('aliases', limits.aliases, `${opName(op)} uses ${atLeast(m)}${m.aliases} aliases; the limit is ${limits.aliases}.`, m.aliases, op));
      }
    },
  });
  const fieldRule: ValidationRule = (context) => ({
    OperationDefinition(op) {
      const m = measured(context, op);
      if (m.fields > limits.fields) {
        context.reportError(
          limitError('fields', limits.fields, `${opName(op)} selects ${atLeast(m)}${m.fields} fields (fragments expanded); the limit is ${limits.fields}.`, m.fields, op),
        );
      }
    },
  });
  return [depthRule, aliasRule, fieldRule];
}

// graphql-js 16 words it "more that"; accept the corrected spelling of later versions too.
const TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens/;

/** graphql-js reports `maxTokens` as a syntax error; turn it into a limit error (the parser stops, so the actual count is unknown). */
function asTokenLimitError(message: string): GraphQLError | undefined {
  const match = TOKEN_LIMIT.exec(message);
  if (!match) return undefined;
  const max = Number(match[1]);
  return limitError('tokens', max, `The document has more than ${max} tokens; the limit is ${max}.`);
}

/**
 * Apollo's `formatError`: Apollo rewraps validation and syntax errors with its own codes,
 * so the limit code (and a clear message for the token limit) is restored here.
 */
export function formatLimitError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (original instanceof GraphQLError && original.extensions.code === LIMIT_CODE) {
    return { ...formatted, extensions: { ...formatted.extensions, code: LIMIT_CODE } };
  }
  const tokens = asTokenLimitError(formatted.message);
  return tokens ? { message: tokens.message, extensions: tokens.extensions } : formatted;
}

/** Apollo's own wording for hiding schema details (ApolloServerPluginDisableSuggestions). */
function withoutSuggestion(err: GraphQLError): GraphQLError {
  err.message = err.message.replace(/ ?Did you mean(.+?)\?$/, '');
  return err;
}

/**
 * What Apollo does over HTTP, for graphql-ws: parse under the token limit, then validate with
 * the specified rules and the limit rules; suggestions are removed when schema details are hidden.
 */
export function parseAndValidate(
  schema: GraphQLSchema,
  query: string,
  options: { maxTokens: number; rules: readonly ValidationRule[]; hideSchemaDetails: boolean },
): { document: DocumentNode; errors?: undefined } | { errors: readonly GraphQLError[] } {
  let document: DocumentNode;
  try {
    document = parse(query, { maxTokens: options.maxTokens });
  } catch (err) {
    if (!(err instanceof GraphQLError)) throw err;
    return { errors: [asTokenLimitError(err.message) ?? err] };
  }
  const errors = validate(schema, document, [...specifiedRules, ...options.rules]);
  if (errors.length > 0) return { errors: options.hideSchemaDetails ? errors.map(withoutSuggestion) : errors };
  return { document };
}
