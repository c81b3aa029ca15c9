import { BadUserInputError, DomainError, NotFoundError } from '../../../../lib/src/index';
import type { CompatibilityViolation } from '../compatibility/compatibility.checker';

/** Confluent's numeric error codes, carried so the REST API can answer like Confluent does. */
export const CONFLUENT_CODES = {
  subjectNotFound: 40401,
  versionNotFound: 40402,
  schemaNotFound: 40403,
  subjectSoftDeleted: 40404,
  versionSoftDeleted: 40407,
  compatibilityNotConfigured: 40408,
  incompatible: 409,
  invalidSchema: 42201,
  invalidVersion: 42202,
  invalidCompatibility: 42203,
  referenceExists: 42206,
} as const;

export class SubjectNotFoundError extends NotFoundError {
  readonly confluentCode = CONFLUENT_CODES.subjectNotFound;
  constructor(subject: string) {
    super('Subject', `"${subject}"`);
  }
}

export class VersionNotFoundError extends NotFoundError {
  readonly confluentCode = CONFLUENT_CODES.versionNotFound;
  constructor(subject: string, version: number | string) {
    super('Version', `${version} of subject "${subject}"`);
  }
}

export class SchemaNotFoundError extends NotFoundError {
  readonly confluentCode = CONFLUENT_CODES.schemaNotFound;
  constructor(id: string) {
    super('Schema', id);
  }
}

/** The schema text is not a valid schema of its type (or a reference is missing). */
export class InvalidSchemaError extends BadUserInputError {
  readonly confluentCode = CONFLUENT_CODES.invalidSchema;
  constructor(message: string) {
    super(message, [{ field: 'schema', message }]);
  }
}

export class InvalidVersionError extends BadUserInputError {
  readonly confluentCode = CONFLUENT_CODES.invalidVersion;
  constructor(version: string) {
    super(`Invalid version "${version}": a positive integer or "latest"`, [
      { field: 'version', message: 'must be a positive integer or "latest"' },
    ]);
  }
}

/** A version other versions still reference cannot be deleted (Confluent 42206). */
export class ReferencedVersionError extends BadUserInputError {
  readonly confluentCode = CONFLUENT_CODES.referenceExists;
  constructor(subject: string, version: number, by: string[]) {
    super(`Version ${version} of subject "${subject}" is referenced by ${by.join(', ')}`, [
      { field: 'version', message: 'is referenced by other schemas' },
    ]);
  }
}

/** The registration breaks the subject's compatibility mode; `reasons` says how. */
export class IncompatibleSchemaError extends DomainError {
  readonly confluentCode = CONFLUENT_CODES.incompatible;
  constructor(subject: string, mode: string, violations: CompatibilityViolation[], reasons: string[]) {
    super(
      'INCOMPATIBLE_SCHEMA',
      `Schema being registered is incompatible with an earlier schema for subject "${subject}" (${mode})`,
      {
        mode,
        reasons,
        violations: violations.map(({ version, direction, path, message }) => ({ version, direction, path, message })),
      },
    );
  }
}
