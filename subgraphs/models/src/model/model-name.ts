import { BadUserInputError } from '../../../../lib/src/index';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Validates a model name (letters, digits, `.`, `_`, `-`; no `/` or `@` so URIs stay unambiguous). */
export function checkModelName(name: string, field = 'name'): void {
  if (!MODEL_NAME.test(name))
    throw new BadUserInputError('Invalid model name', [
      { field, message: 'letters, digits, ".", "_" or "-", 1 to 128 characters, starting with a letter or digit' },
    ]);
}
