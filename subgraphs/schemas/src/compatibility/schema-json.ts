import { jsonTooDeepAt, MAX_JSON_DEPTH } from '../../../../lib/src/index';
import { SchemaParseError } from './schema-types';

/**
 * Parses a JSON schema text (JSON Schema or Avro). Canonical forms, compilers and compatibility
 * checks walk it recursively, so nesting is bounded by lib's MAX_JSON_DEPTH.
 * @throws SchemaParseError when the text is not JSON or nests too deep
 */
export function parseSchemaJson(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SchemaParseError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
  const at = jsonTooDeepAt(value);
  if (at !== undefined)
    throw new SchemaParseError(`${what} nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels (at ${at})`, at);
  return value;
}
