import type { FieldProblem } from '../common/invalid-input.error';

/** A kubernetes-models object: validates itself against the Kubernetes OpenAPI schema. */
export interface ValidatableModel {
  validate(): void;
  toJSON(): unknown;
}

interface AjvLikeError {
  instancePath?: string;
  message?: string;
}

/**
 * Validates a rendered object against its Kubernetes schema (`kubernetes-models` `.validate()`).
 * @returns the schema violations as field problems prefixed with the object's kind and name; empty when valid.
 */
export function validateModel(model: ValidatableModel, label: string): FieldProblem[] {
  try {
    model.validate();
    return [];
  } catch (error) {
    const errors = (error as { errors?: AjvLikeError[] }).errors;
    if (!Array.isArray(errors))
      return [{ field: label, message: error instanceof Error ? error.message : String(error) }];
    // `oneOf` failures repeat the same path once per alternative: keep one message per path.
    const byPath = new Map<string, string>();
    for (const e of errors) {
      const path = (e.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
      if (!byPath.has(path)) byPath.set(path, e.message ?? 'is invalid');
    }
    return [...byPath].map(([path, message]) => ({ field: path ? `${label}.${path}` : label, message }));
  }
}
