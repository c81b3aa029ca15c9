import type { ApolloServerPlugin } from '@apollo/server';
import type { ConstDirectiveNode, DocumentNode, GraphQLSchema } from 'graphql';
import { GraphQLError, Kind, TypeInfo, getNamedType, parse, print, visit, visitWithTypeInfo } from 'graphql';
import type { Viewer } from '../../../lib/src/core';
import type { GatewayContext } from '../context';

interface Requirement {
  authenticated: boolean;
  /** OR of AND sets, as `@requiresScopes(scopes: [["a", "b"], ["c"]])`. */
  scopes: string[][];
}

export type AuthRequirements = Map<string, Requirement>;

function readDirectives(directives: readonly ConstDirectiveNode[] | undefined): Requirement | undefined {
  let req: Requirement | undefined;
  for (const d of directives ?? []) {
    if (d.name.value === 'authenticated') req = { authenticated: true, scopes: req?.scopes ?? [] };
    if (d.name.value === 'requiresScopes') {
      const arg = d.arguments?.find((a) => a.name.value === 'scopes');
      const sets =
        arg?.value.kind === Kind.LIST
          ? arg.value.values.map((v) =>
              v.kind === Kind.LIST ? v.values.flatMap((s) => (s.kind === Kind.STRING ? [s.value] : [])) : [],
            )
          : [];
      req = { authenticated: true, scopes: [...(req?.scopes ?? []), ...sets] };
    }
  }
  return req;
}

/**
 * Reads `@authenticated` and `@requiresScopes` from a supergraph SDL, on object types and fields.
 * @returns requirements keyed `Type` or `Type.field`
 */
export function readAuthRequirements(supergraphSdl: string): AuthRequirements {
  const out: AuthRequirements = new Map();
  for (const def of parse(supergraphSdl).definitions) {
    if (
      def.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      def.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      def.kind !== Kind.INTERFACE_TYPE_DEFINITION
    )
      continue;
    const typeReq = readDirectives(def.directives);
    if (typeReq) out.set(def.name.value, typeReq);
    for (const field of def.fields ?? []) {
      const r = readDirectives(field.directives);
      if (r) out.set(`${def.name.value}.${field.name.value}`, r);
    }
  }
  return out;
}

const SECURITY_DIRECTIVES = new Set(['authenticated', 'requiresScopes', 'policy']);
const SECURITY_LINK = /^https:\/\/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\//;

/**
 * `@apollo/gateway` refuses supergraphs that link SECURITY features. The gateway enforces them itself
 * (edgeAuthPlugin), so the planner gets the supergraph without them: the links, the directive
 * definitions, their scalars and every application are removed; nothing else changes.
 * @returns the supergraph SDL the planner can load
 */
export function stripSecurityFeatures(supergraphSdl: string): string {
  if (!/specs\.apollo\.dev\/(authenticated|requiresScopes|policy)\//.test(supergraphSdl)) return supergraphSdl;
  const doc = visit(parse(supergraphSdl), {
    Directive(node) {
      if (SECURITY_DIRECTIVES.has(node.name.value)) return null;
      if (node.name.value === 'link') {
        const url = node.arguments?.find((a) => a.name.value === 'url')?.value;
        if (url?.kind === Kind.STRING && SECURITY_LINK.test(url.value)) return null;
      }
      return undefined;
    },
    DirectiveDefinition(node) {
      return SECURITY_DIRECTIVES.has(node.name.value) ? null : undefined;
    },
    ScalarTypeDefinition(node) {
      return /^(requiresScopes|policy)__/.test(node.name.value) ? null : undefined;
    },
  });
  return print(doc);
}

const satisfies = (scopes: string[][], held: string[]) =>
  scopes.length === 0 || scopes.some((set) => set.every((s) => held.includes(s)));

/** The protected fields and types an operation document selects, in document order. */
function protectedSelections(
  document: DocumentNode,
  schema: GraphQLSchema,
  reqs: AuthRequirements,
): { field: string; requirement: Requirement }[] {
  const typeInfo = new TypeInfo(schema);
  const found: { field: string; requirement: Requirement }[] = [];
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        const type = typeInfo.getType();
        if (!parent) return;
        const key = `${parent.name}.${node.name.value}`;
        for (const r of [reqs.get(key), type ? reqs.get(getNamedType(type).name) : undefined])
          if (r) found.push({ field: key, requirement: r });
      },
    }),
  );
  return found;
}

/** @returns the error refusing `viewer` an operation that selects `found`, or undefined when it may run */
function refusalOf(
  found: { field: string; requirement: Requirement }[],
  viewer: Viewer | null,
): GraphQLError | undefined {
  const problems: { field: string; unauthenticated: boolean }[] = [];
  for (const { field, requirement } of found) {
    if (!viewer) problems.push({ field, unauthenticated: true });
    else if (!satisfies(requirement.scopes, viewer.permissions)) problems.push({ field, unauthenticated: false });
  }
  if (!problems.length) return undefined;
  if (problems.some((p) => p.unauthenticated)) {
    return new GraphQLError('This operation needs an authenticated viewer', {
      extensions: { code: 'UNAUTHENTICATED', fields: problems.map((p) => p.field), http: { status: 401 } },
    });
  }
  return new GraphQLError(`Missing scopes for ${problems.map((p) => p.field).join(', ')}`, {
    extensions: { code: 'FORBIDDEN', fields: problems.map((p) => p.field), http: { status: 403 } },
  });
}

/** The edge check of `edgeAuthPlugin` for an operation Apollo Server does not run (subscriptions). */
export function checkEdgeAuth(
  document: DocumentNode,
  schema: GraphQLSchema,
  requirements: AuthRequirements,
  viewer: Viewer | null,
): GraphQLError | undefined {
  return requirements.size === 0 ? undefined : refusalOf(protectedSelections(document, schema, requirements), viewer);
}

/**
 * Enforces the supergraph's `@authenticated` / `@requiresScopes` at the edge, before any subgraph is
 * called: an operation that selects a protected field or type without a viewer is refused with
 * UNAUTHENTICATED, without the scopes (the token's permissions) with FORBIDDEN naming the field.
 * Subgraphs still check for themselves. What a document selects is worked out once per parsed
 * document (Apollo Server reuses it for the same query text) and supergraph; the viewer is checked
 * on every request.
 */
export function edgeAuthPlugin(requirements: () => AuthRequirements): ApolloServerPlugin<GatewayContext> {
  const selected = new WeakMap<
    DocumentNode,
    { reqs: AuthRequirements; schema: GraphQLSchema; found: { field: string; requirement: Requirement }[] }
  >();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, contextValue, operation }) {
          const reqs = requirements();
          if (reqs.size === 0 || !operation) return;
          let entry = selected.get(document);
          if (!entry || entry.reqs !== reqs || entry.schema !== schema) {
            entry = {
              reqs,
              schema: schema as GraphQLSchema,
              found: protectedSelections(document, schema as GraphQLSchema, reqs),
            };
            selected.set(document, entry);
          }
          const refused = refusalOf(entry.found, contextValue.viewer);
          if (refused) throw refused;
        },
      };
    },
  };
}
