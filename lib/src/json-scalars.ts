import type { GraphQLScalarLiteralParser, GraphQLScalarValueParser } from 'graphql';
import { GraphQLScalarType } from 'graphql';
// eslint-disable-next-line no-restricted-imports -- the one place that wraps them with the depth limit
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { assertJsonDepth, JsonTooDeepError, literalTooDeep, MAX_JSON_DEPTH } from './json-depth';

function depthLimited(base: GraphQLScalarType): GraphQLScalarType {
  const config = base.toConfig();
  const parseValue: GraphQLScalarValueParser<unknown> = (value) => {
    assertJsonDepth(value, base.name);
    return config.parseValue!(value);
  };
  const parseLiteral: GraphQLScalarLiteralParser<unknown> = (ast, variables) => {
    if (literalTooDeep(ast)) throw new JsonTooDeepError(base.name, MAX_JSON_DEPTH, 'the literal');
    return config.parseLiteral!(ast, variables);
  };
  return new GraphQLScalarType({
    ...config,
    description: `${config.description} Arrays and objects nest at most ${MAX_JSON_DEPTH} levels deep.`,
    parseValue,
    parseLiteral,
  });
}

/**
 * graphql-scalars' `JSON`, refusing input nested deeper than MAX_JSON_DEPTH (BAD_USER_INPUT) in
 * variables and literals alike. Every subgraph uses this one, never graphql-scalars' own (lint rule).
 */
export const JSONScalar = depthLimited(GraphQLJSON);

/** graphql-scalars' `JSONObject` with the same depth limit as JSONScalar. */
export const JSONObjectScalar = depthLimited(GraphQLJSONObject);
