import Ajv from 'ajv';
import type { AnySchema, ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { MAX_JSON_DEPTH, userRegExpEngine } from '../../../../lib/src/index';
import { Rng } from '../math/rng';
import { SyntheticInputError } from '../table/table.types';
import { generateFromPattern, UnsupportedPatternError } from './regex.generator';

/**
 * The keywords the generator reads. Ajv compiles the schema (checking it against its meta-schema) before
 * any record is drawn, so each keyword present has its meta-schema type.
 */
interface SchemaObject {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  allOf?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number | boolean;
  exclusiveMaximum?: number | boolean;
  multipleOf?: number;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  items?: Schema | Schema[];
  prefixItems?: Schema[];
  additionalItems?: Schema;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema;
  minProperties?: number;
  [keyword: string]: unknown;
}
type Schema = SchemaObject | boolean;

const MAX_ATTEMPTS = 50;
const MAX_DEPTH = 8;
const WORDS = [
  'alpha',
  'bravo',
  'delta',
  'echo',
  'harbor',
  'lumen',
  'nova',
  'orbit',
  'pixel',
  'quartz',
  'river',
  'sierra',
  'tango',
  'vector',
];

/**
 * Compiles a JSON Schema with the Ajv dialect its `$schema` names (draft-07 by default,
 * 2019-09, 2020-12) and ajv-formats. Decimal `multipleOf` is checked to 1e-9 because binary
 * floats cannot hold most decimal multiples exactly.
 */
export function compileJsonSchema(schema: AnySchema): ValidateFunction {
  const dialect =
    typeof schema === 'object' && schema !== null ? String((schema as Record<string, unknown>).$schema ?? '') : '';
  // User patterns run on lib's linear-time engine: a schema cannot stall the service while records are checked.
  const options = { strict: false, allErrors: false, multipleOfPrecision: 9, code: { regExp: userRegExpEngine } };
  const ajv = dialect.includes('2020-12')
    ? new Ajv2020(options)
    : dialect.includes('2019-09')
      ? new Ajv2019(options)
      : new Ajv(options);
  addFormats(ajv);
  try {
    return ajv.compile(schema);
  } catch (error) {
    throw new SyntheticInputError(`invalid JSON Schema: ${(error as Error).message}`, 'schema');
  }
}

/**
 * Generates `count` records valid against a JSON Schema (types, formats, enums/const, numeric and
 * length bounds, patterns, required and optional properties, nesting, arrays, local `$ref`,
 * allOf/anyOf/oneOf). Each record is validated with Ajv and redrawn until valid.
 * @throws SyntheticInputError when the schema is invalid or no valid record can be drawn.
 */
export function generateJsonRecords(schema: AnySchema, count: number, seed: number): unknown[] {
  const validate = compileJsonSchema(schema);
  const generator = new JsonValueGenerator(schema as Schema, new Rng(seed));
  const records: unknown[] = [];
  for (let i = 0; i < count; i++) {
    let record: unknown;
    let valid = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !valid; attempt++) {
      try {
        record = generator.value(schema as Schema, 0);
      } catch (error) {
        if (error instanceof UnsupportedPatternError) throw new SyntheticInputError(error.message, 'schema');
        throw error;
      }
      valid = validate(record) as boolean;
    }
    if (!valid) {
      const detail = validate.errors?.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
      throw new SyntheticInputError(`could not generate a record valid against the schema (${detail})`, 'schema');
    }
    records.push(record);
  }
  return records;
}

class JsonValueGenerator {
  /** Nested `value` calls in progress: `$ref` cycles and combinators recurse without adding depth. */
  private active = 0;

  constructor(
    private readonly root: Schema,
    private readonly rng: Rng,
  ) {}

  value(schema: Schema, depth: number): unknown {
    if (this.active >= MAX_JSON_DEPTH)
      throw new SyntheticInputError(
        `the schema has no value nested less than ${MAX_JSON_DEPTH} levels deep (a required $ref cycle?)`,
        'schema',
      );
    this.active++;
    try {
      return this.valueOf(schema, depth);
    } finally {
      this.active--;
    }
  }

  private valueOf(schema: Schema, depth: number): unknown {
    if (schema === true) return this.word();
    if (schema === false) throw new SyntheticInputError('the schema accepts no value (false)', 'schema');
    if (schema.$ref) return this.value(this.resolve(schema.$ref), depth);
    if ('const' in schema) return schema.const;
    if (Array.isArray(schema.enum)) return this.rng.pick(schema.enum);
    if (Array.isArray(schema.allOf))
      return this.value(
        mergeAll(
          schema,
          schema.allOf.map((s: Schema) => this.deref(s)),
        ),
        depth,
      );
    const choices = schema.oneOf ?? schema.anyOf;
    if (Array.isArray(choices)) {
      const { oneOf: _o, anyOf: _a, ...rest } = schema;
      return this.value(mergeAll(rest, [this.deref(this.rng.pick(choices))]), depth);
    }
    switch (this.typeOf(schema)) {
      case 'null':
        return null;
      case 'boolean':
        return this.rng.next() < 0.5;
      case 'integer':
        return this.number(schema, true);
      case 'number':
        return this.number(schema, false);
      case 'array':
        return this.array(schema, depth);
      case 'object':
        return this.object(schema, depth);
      default:
        return this.string(schema);
    }
  }

  private deref(schema: Schema): Schema {
    let out = schema;
    for (let hops = 0; typeof out === 'object' && out.$ref; hops++) {
      if (hops >= MAX_JSON_DEPTH)
        throw new SyntheticInputError(`$ref ${String(out.$ref)} does not lead to a schema (a $ref cycle?)`, 'schema');
      out = this.resolve(out.$ref);
    }
    return out;
  }

  private resolve(ref: string): Schema {
    if (!ref.startsWith('#')) throw new SyntheticInputError(`only local $ref is supported, got ${ref}`, 'schema');
    let node: unknown = this.root;
    for (const raw of ref.slice(1).split('/').filter(Boolean)) {
      const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
      node = (node as Record<string, unknown> | null | undefined)?.[key];
    }
    if (node === undefined) throw new SyntheticInputError(`unresolvable $ref ${ref}`, 'schema');
    return node as Schema;
  }

  private typeOf(schema: SchemaObject): string {
    const type = schema.type;
    if (Array.isArray(type)) {
      const nonNull = type.filter((t: string) => t !== 'null');
      return nonNull.length && this.rng.next() < 0.9 ? this.rng.pick(nonNull) : (type[0] ?? 'null');
    }
    if (typeof type === 'string') return type;
    if (schema.properties || schema.required) return 'object';
    if (schema.items || schema.prefixItems) return 'array';
    if (schema.minimum !== undefined || schema.maximum !== undefined || schema.multipleOf !== undefined)
      return 'number';
    return 'string';
  }

  private number(schema: SchemaObject, integer: boolean): number {
    const exMin = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : null;
    const exMax = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : null;
    const step = integer ? 1 : 1e-6;
    let min = schema.minimum ?? (exMin !== null ? exMin + step : null);
    let max = schema.maximum ?? (exMax !== null ? exMax - step : null);
    if (schema.exclusiveMinimum === true && min !== null) min += step;
    if (schema.exclusiveMaximum === true && max !== null) max -= step;
    min = min ?? (max !== null ? max - 1000 : 0);
    max = max ?? min + 1000;
    if (schema.multipleOf) {
      const m = schema.multipleOf as number;
      const lo = Math.ceil(min / m);
      const hi = Math.floor(max / m);
      const k = hi >= lo ? lo + this.rng.int(hi - lo + 1) : lo;
      return integer ? Math.round(k * m) : Number((k * m).toPrecision(12));
    }
    if (integer) {
      const lo = Math.ceil(min);
      const hi = Math.floor(max);
      return lo + this.rng.int(Math.max(hi - lo + 1, 1));
    }
    return Number((min + this.rng.next() * (max - min)).toFixed(4));
  }

  private string(schema: SchemaObject): string {
    const format = this.formatted(schema.format);
    if (format !== null) return format;
    if (typeof schema.pattern === 'string') return generateFromPattern(schema.pattern, this.rng);
    const min = schema.minLength ?? 1;
    const max = Math.max(schema.maxLength ?? Math.max(min, 12), min);
    const length = min + this.rng.int(max - min + 1);
    let text = '';
    while (text.length < length) text += (text ? ' ' : '') + this.word();
    return text.slice(0, length).replace(/ $/, 'x');
  }

  private formatted(format: unknown): string | null {
    const rng = this.rng;
    const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
    const date = (): string => `${2000 + rng.int(30)}-${pad(1 + rng.int(12))}-${pad(1 + rng.int(28))}`;
    const time = (): string => `${pad(rng.int(24))}:${pad(rng.int(60))}:${pad(rng.int(60))}`;
    const hex = (n: number): string => Array.from({ length: n }, () => '0123456789abcdef'[rng.int(16)]).join('');
    switch (format) {
      case 'email':
      case 'idn-email':
        return `${this.word()}.${this.word()}${rng.int(1000)}@example.${rng.pick(['com', 'org', 'net'])}`;
      case 'date':
        return date();
      case 'date-time':
        return `${date()}T${time()}Z`;
      case 'time':
        return `${time()}Z`;
      case 'uuid':
        return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[rng.int(4)]}${hex(3)}-${hex(12)}`;
      case 'uri':
      case 'url':
      case 'iri':
        return `https://${this.word()}.example.com/${this.word()}/${rng.int(10000)}`;
      case 'uri-reference':
        return `/${this.word()}/${rng.int(10000)}`;
      case 'hostname':
      case 'idn-hostname':
        return `${this.word()}-${rng.int(100)}.example.com`;
      case 'ipv4':
        return Array.from({ length: 4 }, () => rng.int(256)).join('.');
      case 'ipv6':
        return Array.from({ length: 8 }, () => hex(4)).join(':');
      case 'duration':
        return `P${1 + rng.int(30)}DT${rng.int(24)}H`;
      default:
        return null;
    }
  }

  private array(schema: SchemaObject, depth: number): unknown[] {
    const tuple: Schema[] | null = Array.isArray(schema.prefixItems)
      ? schema.prefixItems
      : Array.isArray(schema.items)
        ? schema.items
        : null;
    // Beside prefixItems (2020-12), and without a tuple, `items` is one schema.
    const items = schema.items as Schema | undefined;
    const itemSchema: Schema = tuple
      ? schema.prefixItems
        ? (items ?? true)
        : (schema.additionalItems ?? true)
      : (items ?? true);
    const min = Math.max(schema.minItems ?? (depth >= MAX_DEPTH ? 0 : 1), tuple?.length ?? 0);
    const max = Math.max(schema.maxItems ?? min + 2, min);
    const length = depth >= MAX_DEPTH ? min : min + this.rng.int(max - min + 1);
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (let i = 0, tries = 0; out.length < length && tries < length * 20; tries++) {
      const value = this.value(tuple && i < tuple.length ? tuple[i]! : itemSchema, depth + 1);
      const key = JSON.stringify(value);
      if (schema.uniqueItems && seen.has(key)) continue;
      seen.add(key);
      out.push(value);
      i++;
    }
    return out;
  }

  private object(schema: SchemaObject, depth: number): Record<string, unknown> {
    const properties: Record<string, Schema> = schema.properties ?? {};
    const required = new Set<string>(schema.required ?? []);
    const out: Record<string, unknown> = {};
    for (const [name, propertySchema] of Object.entries(properties)) {
      if (required.has(name) || (depth < MAX_DEPTH && this.rng.next() < 0.7))
        out[name] = this.value(propertySchema, depth + 1);
    }
    for (const name of required) if (!(name in out)) out[name] = this.word();
    const extra = schema.additionalProperties;
    for (let i = Object.keys(out).length; i < (schema.minProperties ?? 0) && extra !== false; i++) {
      out[`${this.word()}_${i}`] = this.value(typeof extra === 'object' ? extra : true, depth + 1);
    }
    return out;
  }

  private word(): string {
    return this.rng.pick(WORDS);
  }
}

function mergeAll(base: SchemaObject, parts: Schema[]): SchemaObject {
  const merged: SchemaObject = { ...base };
  delete merged.allOf;
  for (const part of parts) {
    if (typeof part !== 'object') continue;
    for (const [key, value] of Object.entries(part)) {
      if (key === 'properties') merged.properties = { ...(merged.properties ?? {}), ...(value as object) };
      else if (key === 'required') merged.required = [...new Set([...(merged.required ?? []), ...(value as string[])])];
      else if (key === 'minimum' || key === 'minLength' || key === 'minItems')
        merged[key] = Math.max(merged[key] ?? -Infinity, value as number);
      else if (key === 'maximum' || key === 'maxLength' || key === 'maxItems')
        merged[key] = Math.min(merged[key] ?? Infinity, value as number);
      else merged[key] = value;
    }
  }
  return merged;
}
