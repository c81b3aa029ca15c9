import type { DocumentNode, GraphQLFormattedError, GraphQLSchema, OperationDefinitionNode } from 'graphql';
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { Viewer } from '../../../lib/src/core';
import type { AuthRequirements } from './edge-auth';
import { checkEdgeAuth } from './edge-auth';
import { variableErrors } from '../execution/variable-check';
import type { OperationLimitChecks, Safelist } from './protection';
import { notInSafelistError } from './protection';

export interface OperationGuardOptions {
  /** The operation limits Apollo Server applies on `/graphql` (`operationLimits`): its rules, parse options and errors. */
  limits: OperationLimitChecks;
  safelist?: Safelist;
  production: boolean;
}

/** The edge checks of `/graphql` for the operations Apollo Server does not run: subscriptions over graphql-ws and multipart. */
export interface OperationGuard {
  /**
   * Parses with the token limit and picks the operation.
   * @returns the document and its operation, or the errors (`GRAPHQL_PARSE_FAILED`, `TOKEN_LIMIT_EXCEEDED`, `OPERATION_RESOLUTION_FAILURE`)
   */
  parse(
    source: string,
    operationName?: string | null,
  ): { document: DocumentNode; operation: OperationDefinitionNode } | { errors: GraphQLError[] };
  /**
   * Validation with the operation limits (and, in production, no introspection), the safelist, the
   * variables against their definitions, and the supergraph's `@authenticated` / `@requiresScopes`.
   * @returns the errors; none when the subscription may run
   */
  check(operation: CheckedOperation): GraphQLError[];
}

export interface CheckedOperation {
  source: string;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables?: Record<string, unknown> | null;
  schema: GraphQLSchema;
  requirements: AuthRequirements;
  viewer: Viewer | null;
}

/**
 * @returns the guard of subscription operations, with the same settings as `/graphql`. Its errors
 * are those Apollo Server reports there (a parse or validation error, or the operation limit behind
 * one, found by the same `limitErrorOf`), so the gateway's formatter shapes them alike.
 */
export function createOperationGuard(opts: OperationGuardOptions): OperationGuard {
  const rules = [
    ...specifiedRules,
    ...opts.limits.validationRules,
    ...(opts.production ? [NoSchemaIntrospectionCustomRule] : []),
  ];
  const { limitErrorOf } = opts.limits;
  return {
    parse(source, operationName) {
      let document: DocumentNode;
      try {
        document = parse(source, opts.limits.parseOptions);
      } catch (err) {
        const e = err as GraphQLError;
        const syntax = new GraphQLError(e.message, {
          source: e.source,
          positions: e.positions,
          originalError: e,
          extensions: { ...e.extensions, code: 'GRAPHQL_PARSE_FAILED' },
        });
        return { errors: [limitErrorOf(syntax) ?? syntax] };
      }
      const operation = getOperationAST(document, operationName ?? undefined);
      if (!operation) {
        const message = operationName
          ? `Unknown operation named "${operationName}".`
          : 'Could not determine which operation to run: give operationName.';
        return { errors: [new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })] };
      }
      return { document, operation };
    },
    check({ source, document, operation, variables, schema, requirements, viewer }) {
      const invalid = validate(schema, document, rules);
      if (invalid.length)
        return invalid.map(
          (e) =>
            limitErrorOf(e) ??
            new GraphQLError(e.message, {
              nodes: e.nodes,
              originalError: e.originalError ?? e,
              extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
        );
      if (opts.safelist && !opts.safelist.has(source)) return [notInSafelistError()];
      const coerced = variableErrors(schema, operation.variableDefinitions ?? [], variables ?? {});
      if (coerced)
        return coerced.map(
          (e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'BAD_USER_INPUT' } }),
        );
      const refused = checkEdgeAuth(document, schema, requirements, viewer);
      return refused ? [refused] : [];
    },
  };
}

/** Suggestions name fields and types of the schema; Apollo Server hides them from validation errors only. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/**
 * The gateway's error shaping for every transport: `formatError`, no `extensions.http`, and in
 * production no field suggestions in any message (validation, variables, upstream events).
 */
export function clientErrorFormatter(
  formatError: (formatted: GraphQLFormattedError, error?: unknown) => GraphQLFormattedError,
  production: boolean,
) {
  // The original error goes on: what it is (an operation limit behind Apollo's wrapper ...) decides the answer.
  return (formatted: GraphQLFormattedError, error?: unknown): GraphQLFormattedError => {
    const { http: _http, ...extensions } = formatted.extensions ?? {};
    const shaped = formatError({ ...formatted, ...(formatted.extensions ? { extensions } : {}) }, error);
    return production ? { ...shaped, message: shaped.message.replace(SUGGESTION, '') } : shaped;
  };
}
