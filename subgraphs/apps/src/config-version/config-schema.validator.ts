import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { userRegExpEngine } from '../../../../lib/src/index';
import type { FieldProblem } from '../common/invalid-input.error';

/** Stand-in checked for a secret key: its value is never known to the platform, but it is a string at run time. */
const SECRET_REFERENCE_VALUE = '<secret reference>';

function createAjv(schema: Record<string, unknown>) {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  // A user pattern runs on lib's linear-time engine: it cannot stall the service.
  const options = { allErrors: true, strict: false, code: { regExp: userRegExpEngine } } as const;
  const ajv = dialect.includes('2020-12')
    ? new Ajv2020(options)
    : dialect.includes('2019-09')
      ? new Ajv2019(options)
      : new Ajv(options);
  addFormats(ajv);
  return ajv;
}

/**
 * Validates a configuration against a JSON Schema (draft-07, 2019-09 or 2020-12, chosen by
 * `$schema`). Secret keys take part as strings, so `required` and `additionalProperties` still hold.
 * @returns one problem per violation, addressed as `values.<key>`; empty when valid.
 */
export function validateConfigAgainstSchema(
  values: Record<string, unknown>,
  secretKeys: string[],
  schema: Record<string, unknown>,
): FieldProblem[] {
  let validate;
  try {
    validate = createAjv(schema).compile(schema);
  } catch (error) {
    return [
      {
        field: 'schema',
        message: `the schema does not compile: ${error instanceof Error ? error.message : String(error)}`,
      },
    ];
  }
  const document: Record<string, unknown> = { ...values };
  for (const key of secretKeys) document[key] = SECRET_REFERENCE_VALUE;
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => {
    const missing =
      e.keyword === 'required' ? String((e.params as { missingProperty?: string }).missingProperty ?? '') : '';
    const extra =
      e.keyword === 'additionalProperties'
        ? String((e.params as { additionalProperty?: string }).additionalProperty ?? '')
        : '';
    const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.') || missing || extra;
    return { field: path ? `values.${path}` : 'values', message: e.message ?? 'is invalid' };
  });
}
