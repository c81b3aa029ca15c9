import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';
import { parse } from 'graphql';
import type { BuildSchemaOptions } from 'type-graphql';
import { buildSchema, createResolversMap } from 'type-graphql';

/**
 * `__resolveReference` per entity type name: `{ User: (ref, ctx) => ... }`. Parameters are `never` so a
 * resolver may name its own reference and context types: Apollo calls it, this code never does.
 */
export type ReferenceResolvers = Record<string, (reference: never, context: never, info: never) => unknown>;

const FEDERATION_LINK =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@inaccessible", "@tag", "@interfaceObject", "@authenticated", "@requiresScopes", "@override"])';

/**
 * Builds a Federation 2 subgraph schema from type-graphql resolvers: type-graphql builds the schema,
 * its SDL (with `@key` etc. from `@Directive`) is re-read by `buildSubgraphSchema`, and the resolver
 * map gets each entity's `__resolveReference`.
 * @returns the executable subgraph schema (serves `_service` and `_entities`)
 */
export async function buildFederatedSchema(
  options: Omit<BuildSchemaOptions, 'skipCheck'>,
  referenceResolvers: ReferenceResolvers = {},
): Promise<GraphQLSchema> {
  const schema = await buildSchema({ ...options, skipCheck: true });
  const typeDefs = parse(`${FEDERATION_LINK}\n${printSchemaWithDirectives(schema)}`);
  const resolvers: Record<string, object> = createResolversMap(schema);
  for (const [typeName, resolveReference] of Object.entries(referenceResolvers)) {
    resolvers[typeName] = { ...resolvers[typeName], __resolveReference: resolveReference };
  }
  return buildSubgraphSchema({ typeDefs, resolvers: resolvers as GraphQLResolverMap<unknown> });
}
