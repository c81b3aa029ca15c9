/** One problem with one input field, addressed by a dotted path such as `resources.limits.cpu`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Bad input found by a pure engine. The GraphQL layer maps it to `BAD_USER_INPUT` and copies
 * `fields` into `extensions.fields`, so a caller sees every problem at once instead of one per try.
 */
export class InvalidInputError extends Error {
  readonly fields: FieldProblem[];

  constructor(message: string, fields: FieldProblem[]) {
    super(fields.length > 0 ? `${message}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}` : message);
    this.name = 'InvalidInputError';
    this.fields = fields;
  }
}
