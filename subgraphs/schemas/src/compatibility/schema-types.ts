/** Schema languages the registry understands. */
export type SchemaType = 'AVRO' | 'JSON' | 'PROTOBUF';

export const SCHEMA_TYPES: readonly SchemaType[] = ['AVRO', 'JSON', 'PROTOBUF'];

/** Confluent's compatibility modes. */
export type CompatibilityMode =
  'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE';

export const COMPATIBILITY_MODES: readonly CompatibilityMode[] = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
];

/** Why a reader schema cannot read what a writer schema produces. `path` points into the schemas. */
export interface Incompatibility {
  path: string;
  message: string;
}

/** One problem found while validating a record: `path` is a JSON pointer into the record. */
export interface RecordError {
  path: string;
  message: string;
}

/**
 * A schema another one refers to (Confluent `references`): `name` is how the referring schema
 * names it (a JSON Schema `$ref` URL, an Avro full name's defining file, a `.proto` import path).
 */
export interface ResolvedReference {
  name: string;
  subject: string;
  version: number;
  schema: string;
}

/** A schema checked for syntax, with its deterministic text form and that form's SHA-256. */
export interface ParsedSchema {
  type: SchemaType;
  /** The schema text as registered. */
  text: string;
  /** Deterministic text: equal for schemas that differ only in formatting or key order. */
  canonical: string;
  /** SHA-256 (hex) of `canonical` plus the references' names and fingerprints. */
  fingerprint: string;
  references: ResolvedReference[];
}

/** A schema that cannot be parsed or is not a valid schema of its type. */
export class SchemaParseError extends Error {
  constructor(
    message: string,
    readonly path = '',
  ) {
    super(message);
    this.name = 'SchemaParseError';
  }
}

/** What the registry needs from a schema language. */
export interface SchemaFormat<P extends ParsedSchema = ParsedSchema> {
  readonly type: SchemaType;
  /** @throws SchemaParseError when `text` is not a valid schema of this type */
  parse(text: string, references?: ResolvedReference[]): P;
  /** Reasons why data written with `writer` cannot be read with `reader`; empty when it can. */
  readerIncompatibilities(reader: P, writer: P): Incompatibility[];
  /** Problems of `data` against `schema`; empty when valid. */
  validate(schema: P, data: unknown): RecordError[];
}
