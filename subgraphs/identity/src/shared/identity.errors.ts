import {
  AuthenticationError,
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
} from '../../../../lib/src/index';

/** A problem with one input field. */
export interface FieldProblem {
  field: string;
  message: string;
}

// Identity's errors are lib's GraphQL errors (so formatError keeps their codes) with the code and
// field list also exposed as plain properties, which the services' callers and tests read.

/** Credentials or a token were missing, wrong, expired or revoked. Wording never says which. */
export class InvalidCredentialsError extends AuthenticationError {
  readonly code = 'UNAUTHENTICATED';
  constructor(message = 'Invalid credentials') {
    super(message);
  }
}

/** The caller is known but may not do this. */
export class PermissionDeniedError extends ForbiddenError {
  readonly code = 'FORBIDDEN';
}

/** The thing does not exist in the caller's organization. */
export class EntityNotFoundError extends NotFoundError {
  readonly code = 'NOT_FOUND';
}

/** Input the caller can fix; `fields` names the offending field. */
export class InvalidInputError extends BadUserInputError {
  readonly code = 'BAD_USER_INPUT';
  readonly fields: FieldProblem[];
  constructor(field: string, message: string) {
    super(message, [{ field, message }]);
    this.fields = [{ field, message }];
  }
}

/** A uniqueness rule or the current state forbids the change. */
export class StateConflictError extends ConflictError {
  readonly code = 'CONFLICT';
}
