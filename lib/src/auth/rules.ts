import type { GraphQLSchema } from 'graphql';
import { isObjectType } from 'graphql';
import type { IMiddlewareFieldMap } from 'graphql-middleware';
import { applyMiddleware } from 'graphql-middleware';
import type { IRule } from 'graphql-shield';
import { allow, deny, rule, shield } from 'graphql-shield';
import { AuthenticationError, ForbiddenError } from '../errors';
import type { Viewer } from './viewer';

/** What shield rules read from a request context. */
export interface AuthContext {
  viewer: Viewer | null;
}

/** Open to anyone, signed in or not (sign-in mutations, health-like queries). */
export const isPublic: IRule = allow as unknown as IRule;

/** A viewer is present (any verified token). */
export const isAuthenticated = rule({ cache: 'contextual' })((_p, _a, ctx: AuthContext) =>
  ctx.viewer ? true : new AuthenticationError(),
);

/** The viewer holds `permission` (from its roles); a missing viewer is UNAUTHENTICATED. */
export function hasPermission(permission: string): IRule {
  return rule({ cache: 'contextual' })((_p, _a, ctx: AuthContext) => {
    if (!ctx.viewer) return new AuthenticationError();
    return ctx.viewer.permissions.includes(permission) ? true : new ForbiddenError(`Missing permission ${permission}`);
  });
}

/**
 * The parent object (or the `organizationId` argument) belongs to the viewer's organization.
 * Resolvers scope their queries too; this guards fields reached through other paths.
 */
export const sameOrganization = rule({ cache: 'strict' })((
  parent: { organizationId?: string } | undefined,
  args: { organizationId?: string },
  ctx: AuthContext,
) => {
  if (!ctx.viewer) return new AuthenticationError();
  const org = args?.organizationId ?? parent?.organizationId;
  return org === undefined || org === ctx.viewer.organizationId
    ? true
    : new ForbiddenError('Resource belongs to another organization');
});

/** Throws FORBIDDEN unless `organizationId` is the viewer's. */
export function assertSameOrganization(viewer: Viewer | null, organizationId: string): asserts viewer is Viewer {
  if (!viewer) throw new AuthenticationError();
  if (viewer.organizationId !== organizationId) throw new ForbiddenError('Resource belongs to another organization');
}

/** Throws UNAUTHENTICATED without a viewer; returns it typed. */
export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new AuthenticationError();
  return viewer;
}

export type RuleMap = Record<string, IRule | Record<string, IRule>>;

const ROOTS = ['Query', 'Mutation', 'Subscription'];

/**
 * Applies graphql-shield to a subgraph schema. Every root field without a rule is denied (so a new
 * field is closed until someone decides), `_service` and `_entities` stay open so composition and
 * entity lookups work, and other types' fields are allowed unless the map says otherwise.
 *
 * Only fields whose rule is not `allow` are wrapped: shield on its own wraps every field of every
 * type (its fallback rule), which turns each scalar of an answer into an awaited rule check.
 * @returns the schema with permissions applied
 */
export function applyPermissions(schema: GraphQLSchema, rules: RuleMap): GraphQLSchema {
  const tree: Record<string, Record<string, IRule>> = {};
  for (const root of ROOTS) {
    const type = schema.getType(root);
    if (!type || !isObjectType(type)) continue;
    const given = (rules[root] ?? {}) as Record<string, IRule>;
    const fields: Record<string, IRule> = {};
    for (const name of Object.keys(type.getFields())) {
      fields[name] = (name === '_service' || name === '_entities' ? allow : (given[name] ?? deny)) as IRule;
    }
    tree[root] = fields;
  }
  for (const [typeName, r] of Object.entries(rules)) {
    if (ROOTS.includes(typeName)) continue;
    const type = schema.getType(typeName);
    if (!type || !isObjectType(type))
      throw new Error(`Permissions name ${typeName}, which is not an object type of the schema`);
    // A rule for a whole type applies to each of its fields.
    tree[typeName] = isRuleMapOfFields(r) ? r : Object.fromEntries(Object.keys(type.getFields()).map((f) => [f, r]));
  }
  const generated = shield(tree, {
    allowExternalErrors: true,
    fallbackRule: allow,
    fallbackError: new ForbiddenError(),
  }).generate(schema) as Record<string, IMiddlewareFieldMap>;
  const guarded: Record<string, IMiddlewareFieldMap> = {};
  for (const [typeName, fields] of Object.entries(tree)) {
    for (const [field, r] of Object.entries(fields)) {
      if (r === (allow as unknown)) continue;
      const middleware = generated[typeName]?.[field];
      if (middleware) (guarded[typeName] ??= {})[field] = middleware;
    }
  }
  return applyMiddleware(schema, guarded);
}

function isRuleMapOfFields(r: IRule | Record<string, IRule>): r is Record<string, IRule> {
  return (
    typeof r === 'object' &&
    r !== null &&
    !('resolve' in r && typeof (r as { resolve?: unknown }).resolve === 'function')
  );
}
