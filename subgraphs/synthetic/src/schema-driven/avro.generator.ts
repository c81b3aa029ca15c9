import avro from 'avsc';
import { MAX_JSON_DEPTH } from '../../../../lib/src/index';
import { Rng } from '../math/rng';
import { SyntheticInputError } from '../table/table.types';

const WORDS = ['amber', 'birch', 'cobalt', 'dune', 'ember', 'fjord', 'granite', 'heron', 'iris', 'juniper'];
const MAX_DEPTH = 8;

/**
 * Generates `count` values of an Avro schema (records, enums, arrays, maps, fixed, unions,
 * primitives; logical types through their underlying type, with realistic dates, timestamps and
 * UUIDs), each checked with avsc's `isValid`. Returned in Avro's JSON encoding (`type.toString`),
 * which `type.fromString` reads back.
 * @throws SyntheticInputError when the schema does not parse or a value fails validation.
 */
export function generateAvroRecords(schema: unknown, count: number, seed: number): unknown[] {
  const type = parseAvroSchema(schema);
  const rng = new Rng(seed);
  const records: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const value = generate(type, rng, 0);
    const problems: string[] = [];
    if (!type.isValid(value, { errorHook: (path) => problems.push(path.join('.') || '/') })) {
      throw new SyntheticInputError(`generated value invalid at ${problems.join(', ')}`, 'schema');
    }
    records.push(JSON.parse(type.toString(value)));
  }
  return records;
}

/**
 * The avsc type of an Avro schema.
 * @throws SyntheticInputError when it is not a valid Avro schema
 */
export function parseAvroSchema(schema: unknown): avro.Type {
  try {
    return avro.Type.forSchema(schema as avro.Schema);
  } catch (error) {
    throw new SyntheticInputError(`invalid Avro schema: ${(error as Error).message}`, 'schema');
  }
}

function generate(type: avro.Type, rng: Rng, depth: number): unknown {
  if (depth > MAX_JSON_DEPTH)
    throw new SyntheticInputError(
      `the schema has no value nested less than ${MAX_JSON_DEPTH} levels deep (a record that contains itself without a null branch?)`,
      'schema',
    );
  // A primitive without attributes exports as its name (a string); others as an object.
  const exported: unknown = type.schema({ exportAttrs: true });
  const logical =
    typeof exported === 'object' && exported !== null ? (exported as { logicalType?: string }).logicalType : undefined;
  switch (type.typeName) {
    case 'null':
      return null;
    case 'boolean':
      return rng.next() < 0.5;
    case 'int':
      if (logical === 'date') return 10957 + rng.int(10000);
      if (logical === 'time-millis') return rng.int(86_400_000);
      return rng.int(2001) - 1000;
    case 'long':
      if (logical?.startsWith('timestamp')) return 946_684_800_000 + rng.int(900_000_000) * 1000;
      return rng.int(2_000_001) - 1_000_000;
    case 'float':
      return Math.fround(rng.next() * 1000);
    case 'double':
      return Number((rng.next() * 1000).toFixed(4));
    case 'bytes':
      return Buffer.from(Array.from({ length: 1 + rng.int(16) }, () => rng.int(256)));
    case 'string':
      if (logical === 'uuid') return uuid(rng);
      return `${rng.pick(WORDS)}-${rng.int(10000)}`;
    case 'enum':
      return rng.pick((type as avro.types.EnumType).symbols);
    case 'fixed':
      return Buffer.from(Array.from({ length: (type as avro.types.FixedType).size }, () => rng.int(256)));
    case 'array': {
      const length = depth >= MAX_DEPTH ? 0 : 1 + rng.int(3);
      return Array.from({ length }, () => generate((type as avro.types.ArrayType).itemsType, rng, depth + 1));
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      const size = depth >= MAX_DEPTH ? 0 : 1 + rng.int(3);
      const valuesType = (type as avro.types.MapType).valuesType as avro.Type;
      for (let i = 0; i < size; i++) out[`${rng.pick(WORDS)}${i}`] = generate(valuesType, rng, depth + 1);
      return out;
    }
    case 'record':
    case 'error': {
      const out: Record<string, unknown> = {};
      for (const field of (type as avro.types.RecordType).fields)
        out[field.name] = generate(field.type, rng, depth + 1);
      return type.clone(out);
    }
    case 'union:unwrapped':
    case 'union:wrapped': {
      const branches = (type as avro.types.UnwrappedUnionType | avro.types.WrappedUnionType).types;
      // Deep recursion ends on the null branch when the union has one.
      const nullBranch = branches.find((b) => b.typeName === 'null');
      const branch = depth >= MAX_DEPTH && nullBranch ? nullBranch : rng.pick(branches);
      const value = generate(branch, rng, depth + 1);
      if (type.typeName === 'union:wrapped' && branch.typeName !== 'null') return { [branch.branchName!]: value };
      return value;
    }
    default:
      throw new SyntheticInputError(`unsupported Avro type ${type.typeName}`, 'schema');
  }
}

function uuid(rng: Rng): string {
  const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[rng.int(16)]).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[rng.int(4)]}${hex(3)}-${hex(12)}`;
}
