import { jsonEqual } from './canonical-json';
import type { JsonSchema, JsonSchemaObject, SchemaNode } from './json-schema.document';

export const JSON_TYPES = ['null', 'boolean', 'object', 'array', 'string', 'number', 'integer'] as const;
export type JsonType = (typeof JSON_TYPES)[number];

/** Keywords that constrain instances; anything else (title, $id, vendor extensions ...) is annotation. */
const ASSERTIONS = new Set([
  'type',
  'enum',
  'const',
  'multipleOf',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'format',
  'contentEncoding',
  'contentMediaType',
  'items',
  'additionalItems',
  'prefixItems',
  'contains',
  'maxItems',
  'minItems',
  'uniqueItems',
  'maxContains',
  'minContains',
  'unevaluatedItems',
  'properties',
  'patternProperties',
  'additionalProperties',
  'required',
  'propertyNames',
  'maxProperties',
  'minProperties',
  'dependencies',
  'dependentRequired',
  'dependentSchemas',
  'unevaluatedProperties',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'then',
  'else',
  '$ref',
  '$dynamicRef',
  '$recursiveRef',
]);

/** Whether `s` accepts every instance because it has no assertion keyword. */
export function acceptsEverything(s: JsonSchema): boolean {
  if (typeof s === 'boolean') return s;
  return !Object.keys(s).some((k) => ASSERTIONS.has(k) && !((k === 'then' || k === 'else') && s.if === undefined));
}

/** Types an instance of `s` may have; `number` implies `integer`. Ignores combinators. */
export function typeSet(s: JsonSchemaObject): Set<JsonType> {
  const t = s.type;
  const names = t === undefined ? [...JSON_TYPES] : Array.isArray(t) ? t : [t];
  const set = new Set(names.filter((n): n is JsonType => (JSON_TYPES as readonly string[]).includes(n as string)));
  if (set.has('number')) set.add('integer');
  return set;
}

/** The values `s` is restricted to by `enum` / `const`, or undefined when it is not restricted. */
export function enumValues(s: JsonSchemaObject): unknown[] | undefined {
  let values: unknown[] | undefined = Array.isArray(s.enum) ? [...(s.enum as unknown[])] : undefined;
  if (s.const !== undefined) values = values ? values.filter((v) => jsonEqual(v, s.const)) : [s.const];
  return values;
}

const LOWER = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties', 'minContains'];
const UPPER = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties', 'maxContains'];
const SCHEMA_VALUED = [
  'additionalProperties',
  'additionalItems',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
];

function intersectTypes(a: unknown, b: unknown): string[] {
  const as = typeSet({ type: a });
  const bs = typeSet({ type: b });
  const out = [...as].filter((t) => bs.has(t));
  return out.includes('number') ? out.filter((t) => t !== 'integer') : out;
}

/**
 * Conjunction of two schemas of one document as a single schema where keywords combine
 * (types intersect, bounds tighten, `required` unites, per-property schemas conjoin); keywords that
 * cannot combine in one object are returned as `residual` conjuncts. The merged schema may accept
 * more than the true conjunction (never less), which keeps "merged ⊆ B" a sound proof of "a ∧ b ⊆ B".
 */
export function mergeSchemas(a: JsonSchemaObject, b: JsonSchema): { merged: JsonSchemaObject; residual: JsonSchema[] } {
  if (b === true) return { merged: a, residual: [] };
  if (b === false) return { merged: { ...a, type: [] }, residual: [] };
  const out: JsonSchemaObject = { ...a };
  const residual: JsonSchema[] = [];
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    if (cur === undefined) out[k] = v;
    else if (jsonEqual(cur, v)) continue;
    else if (k === 'type') out.type = intersectTypes(cur, v);
    else if (LOWER.includes(k) && typeof cur === 'number' && typeof v === 'number') out[k] = Math.max(cur, v);
    else if (UPPER.includes(k) && typeof cur === 'number' && typeof v === 'number') out[k] = Math.min(cur, v);
    else if (k === 'required' && Array.isArray(cur) && Array.isArray(v)) out.required = [...new Set([...cur, ...v])];
    else if (k === 'uniqueItems') out.uniqueItems = cur === true || v === true;
    else if (k === 'enum' && Array.isArray(cur) && Array.isArray(v))
      out.enum = cur.filter((x) => v.some((y) => jsonEqual(x, y)));
    else if ((k === 'properties' || k === 'patternProperties') && isObject(cur) && isObject(v)) {
      const props: JsonSchemaObject = { ...cur };
      for (const [p, ps] of Object.entries(v)) props[p] = props[p] === undefined ? ps : { allOf: [props[p], ps] };
      out[k] = props;
    } else if (SCHEMA_VALUED.includes(k) || (k === 'items' && !Array.isArray(cur) && !Array.isArray(v)))
      out[k] = { allOf: [cur, v] };
    else if (k === 'not') out.not = { anyOf: [cur, v] };
    else if (
      k === 'multipleOf' &&
      typeof cur === 'number' &&
      typeof v === 'number' &&
      isMultiple(Math.max(cur, v), Math.min(cur, v))
    )
      out.multipleOf = Math.max(cur, v);
    else if (k === 'allOf' && Array.isArray(cur) && Array.isArray(v)) out.allOf = [...cur, ...v];
    else residual.push({ [k]: v, ...companions(k, b) });
  }
  return { merged: out, residual };
}

/** Keywords that only mean something together with `k` (`then` with `if`, tuple `additionalItems` with `items`). */
function companions(k: string, s: JsonSchemaObject): JsonSchemaObject {
  if (k === 'if') return pick(s, ['then', 'else']);
  if (k === 'items' && Array.isArray(s.items)) return pick(s, ['additionalItems']);
  return {};
}

function pick(s: JsonSchemaObject, keys: string[]): JsonSchemaObject {
  const out: JsonSchemaObject = {};
  for (const k of keys) if (s[k] !== undefined) out[k] = s[k];
  return out;
}

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is JsonSchemaObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Whether `a` is an integer multiple of `b`, tolerant to binary floating point (0.3 / 0.1). */
export function isMultiple(a: number, b: number): boolean {
  if (b === 0) return false;
  const q = a / b;
  return Math.abs(q - Math.round(q)) < 1e-9;
}

/**
 * Identity-stable derivations for one comparison: the same request gives the same object, because
 * recursion detection compares object identities. Lives as long as one checker (no global state).
 */
export class SchemaMemo {
  private readonly derived = new WeakMap<object, Map<string, JsonSchemaObject>>();
  private readonly merged = new WeakMap<
    object,
    WeakMap<object, { merged: JsonSchemaObject; residual: JsonSchema[] }>
  >();
  private readonly wrapped = new WeakMap<object, JsonSchemaObject>();
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;

  /** `{ allOf: [schema] }`, the same object for the same schema. */
  allOfOne(schema: JsonSchema): JsonSchemaObject {
    if (typeof schema === 'boolean') return { allOf: [schema] };
    let out = this.wrapped.get(schema);
    if (!out) this.wrapped.set(schema, (out = { allOf: [schema] }));
    return out;
  }

  /** `node` without the given keywords. */
  without(node: SchemaNode, keys: string[]): SchemaNode {
    if (typeof node.schema === 'boolean') return node;
    const src = node.schema;
    if (!keys.some((k) => k in src)) return node;
    let cache = this.derived.get(src);
    if (!cache) this.derived.set(src, (cache = new Map()));
    const cacheKey = keys.join(',');
    let out = cache.get(cacheKey);
    if (!out) {
      out = { ...src };
      for (const k of keys) delete out[k];
      cache.set(cacheKey, out);
    }
    return { schema: out, doc: node.doc };
  }

  /** `mergeSchemas(a, b)`, memoized by identity. */
  merge(a: JsonSchemaObject, b: JsonSchema): { merged: JsonSchemaObject; residual: JsonSchema[] } {
    if (typeof b === 'boolean') return mergeSchemas(a, b);
    let inner = this.merged.get(a);
    if (!inner) this.merged.set(a, (inner = new WeakMap()));
    let hit = inner.get(b);
    if (!hit) inner.set(b, (hit = mergeSchemas(a, b)));
    return hit;
  }

  /** A number naming `o` for this comparison. */
  idOf(o: object): number {
    let id = this.ids.get(o);
    if (id === undefined) this.ids.set(o, (id = ++this.nextId));
    return id;
  }
}
