import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';

/** Codes a client can act on; anything else is INTERNAL_SERVER_ERROR with its message masked. */
export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | (string & {});

/** A GraphQL error with a typed `extensions.code`. */
export class GraphQLErrorWithCode extends GraphQLError {
  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class AuthenticationError extends GraphQLErrorWithCode {
  constructor(message = 'Not authenticated') {
    super(message, 'UNAUTHENTICATED');
  }
}

export class ForbiddenError extends GraphQLErrorWithCode {
  constructor(message = 'Not allowed') {
    super(message, 'FORBIDDEN');
  }
}

export class NotFoundError extends GraphQLErrorWithCode {
  constructor(what = 'Resource', id?: string) {
    super(id ? `${what} ${id} not found` : `${what} not found`, 'NOT_FOUND');
  }
}

/** One field's problem, as a client shows it next to the input. */
export interface FieldError {
  field: string;
  message: string;
}

export class BadUserInputError extends GraphQLErrorWithCode {
  constructor(message: string, fields: FieldError[] = []) {
    super(message, 'BAD_USER_INPUT', { fields });
  }
}

export class ConflictError extends GraphQLErrorWithCode {
  constructor(message: string) {
    super(message, 'CONFLICT');
  }
}

/** A documented domain code, such as `INCOMPATIBLE_SCHEMA` or `MODEL_NOT_READY`. */
export class DomainError extends GraphQLErrorWithCode {
  constructor(code: string, message: string, extensions: Record<string, unknown> = {}) {
    super(message, code, extensions);
  }
}

const PASSTHROUGH = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Maps a thrown error to its public code: our classes pass through, MikroORM's not-found and
 * unique-constraint errors become NOT_FOUND and CONFLICT, type-graphql argument validation becomes
 * BAD_USER_INPUT; everything else is internal.
 * @returns the code and public extensions, or `undefined` when the error is internal
 */
export function classifyError(
  err: unknown,
): { code: string; message: string; extensions: Record<string, unknown> } | undefined {
  const e = err as {
    name?: string;
    message?: string;
    extensions?: Record<string, unknown>;
    validationErrors?: unknown;
    constructor?: { name?: string };
  };
  if (
    e instanceof GraphQLError &&
    typeof e.extensions?.code === 'string' &&
    e.extensions.code !== 'INTERNAL_SERVER_ERROR'
  ) {
    return { code: e.extensions.code, message: e.message, extensions: e.extensions };
  }
  const name = e?.constructor?.name ?? e?.name;
  if (name === 'NotFoundError') return { code: 'NOT_FOUND', message: 'Resource not found', extensions: {} };
  if (name === 'UniqueConstraintViolationException')
    return { code: 'CONFLICT', message: 'A resource with the same unique value already exists', extensions: {} };
  if (name === 'ArgumentValidationError')
    return {
      code: 'BAD_USER_INPUT',
      message: e.message ?? 'Invalid arguments',
      extensions: { fields: e.extensions?.validationErrors ?? [] },
    };
  return undefined;
}

/**
 * Apollo Server `formatError`: keeps known codes and their extensions, masks everything else as
 * INTERNAL_SERVER_ERROR (logged through `log`), never leaks stack traces.
 */
export function createFormatError(log?: (err: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PASSTHROUGH.has(code)) {
      const { stacktrace: _s, ...ext } = formatted.extensions ?? {};
      return { ...formatted, extensions: ext };
    }
    const original = unwrapResolverError(error);
    const known = classifyError(original);
    if (known) {
      // `http` sets the answer's status (Apollo reads it from the error); it is not for the client.
      const { stacktrace: _s, exception: _e, http: _h, ...ext } = known.extensions as Record<string, unknown>;
      return {
        message: known.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...ext, code: known.code },
      };
    }
    log?.(original);
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
