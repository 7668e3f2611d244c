import { getDirective, MapperKind, mapSchema } from '@graphql-tools/utils';
import { defaultFieldResolver, GraphQLError, type GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../context.js';
import { hasRole, type Role } from './principal.js';

export function unauthenticated(message = 'authentication required: send "Authorization: Bearer <token>"'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function forbidden(role: Role): GraphQLError {
  return new GraphQLError(`forbidden: this needs the ${role} role`, { extensions: { code: 'FORBIDDEN', requiredRole: role } });
}

/** Throws UNAUTHENTICATED / FORBIDDEN unless the caller may use something guarded by `role`. */
export function assertAccess(ctx: Pick<GraphQLContext, 'principal'>, role: Role | undefined): void {
  if (!ctx.principal) throw unauthenticated();
  if (role && !hasRole(ctx.principal, role)) throw forbidden(role);
}

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Applies `@auth(role:)` from the schema: wraps the resolver (and subscribe) of
 * every guarded field. A field of Query, Mutation or Subscription without a
 * guard is a schema error, so nothing is left open by omission.
 */
export function applyAuthDirective(schema: GraphQLSchema): GraphQLSchema {
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const onField = getDirective(schema, field, 'auth')?.[0];
      const type = schema.getType(typeName);
      const onType = type ? getDirective(schema, type, 'auth')?.[0] : undefined;
      const guard = (onField ?? onType) as { role?: Role } | undefined;
      if (!guard) {
        if (ROOT_TYPES.has(typeName)) throw new Error(`${typeName}.${fieldName} has no @auth directive`);
        return field;
      }
      const role = guard.role;
      const resolve = field.resolve ?? defaultFieldResolver;
      const guarded = { ...field };
      guarded.resolve = (src, args, ctx: GraphQLContext, info) => {
        assertAccess(ctx, role);
        return resolve(src, args, ctx, info);
      };
      if (field.subscribe) {
        const subscribe = field.subscribe;
        guarded.subscribe = (src, args, ctx: GraphQLContext, info) => {
          assertAccess(ctx, role);
          return subscribe(src, args, ctx, info);
        };
      }
      return guarded;
    },
  });
}
