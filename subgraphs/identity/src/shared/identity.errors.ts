/** The error codes identity's services raise; the GraphQL layer maps each to its lib error class. */
export type IdentityErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT';

export interface FieldProblem {
  field: string;
  message: string;
}

/** Base class of every error identity's services throw on purpose. */
export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    readonly fields?: FieldProblem[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Credentials or a token were missing, wrong, expired or revoked. Wording never says which. */
export class InvalidCredentialsError extends IdentityError {
  constructor(message = 'Invalid credentials') {
    super('UNAUTHENTICATED', message);
  }
}

/** The caller is known but may not do this. */
export class PermissionDeniedError extends IdentityError {
  constructor(message = 'Not allowed') {
    super('FORBIDDEN', message);
  }
}

/** The thing does not exist in the caller's organization. */
export class EntityNotFoundError extends IdentityError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} not found`);
  }
}

/** Input the caller can fix; `fields` names each offending field. */
export class InvalidInputError extends IdentityError {
  constructor(field: string, message: string) {
    super('BAD_USER_INPUT', message, [{ field, message }]);
  }
}

/** A uniqueness rule or the current state forbids the change. */
export class StateConflictError extends IdentityError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}
