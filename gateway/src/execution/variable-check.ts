import type { ApolloGateway } from '@apollo/gateway';
import type { GraphQLSchema, VariableDefinitionNode } from 'graphql';
import { GraphQLError, getVariableValues } from 'graphql';

/** As graphql-js's `execute` caps them: past this many, the check stops with one more error. */
export const MAX_VARIABLE_ERRORS = 50;

/**
 * The variables checked against their definitions, stopping after {@link MAX_VARIABLE_ERRORS}
 * errors. Unbounded, a 1 MB list of 10,000 bad items made 30,000 errors, a 37 MB answer and 75 s of
 * the gateway's CPU (issue #16, found by test/security/fuzz.e2e.ts).
 * @returns the errors (each BAD_USER_INPUT), or undefined when the variables are valid
 */
export function variableErrors(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  given: Record<string, unknown>,
): GraphQLError[] | undefined {
  const { errors } = getVariableValues(schema, definitions, given, { maxErrors: MAX_VARIABLE_ERRORS });
  // The "too many errors" error names no variable: without a code it would be masked as an internal error.
  return errors?.map((e) =>
    e.nodes?.length ? e : new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT' } }),
  );
}

/**
 * Checks the variables before the gateway's executor does (@apollo/gateway checks them without a
 * cap): a request with invalid variables is answered with at most {@link MAX_VARIABLE_ERRORS} + 1
 * errors, HTTP 400 as before.
 */
export function capVariableErrors(gateway: ApolloGateway): void {
  const inner = gateway.executor;
  gateway.executor = async (rc) => {
    const errors = rc.operation
      ? variableErrors(rc.schema, rc.operation.variableDefinitions ?? [], rc.request.variables ?? {})
      : undefined;
    return errors ? { errors } : inner(rc);
  };
}
