// Issue #16: the schema-driven generator of the fuzz property test (test/security/fuzz.e2e.ts).
// Every Mutation field of a schema becomes a target; its arguments' types (input objects to a bounded
// depth, lists, enums, built-in and custom scalars) give the arbitraries of bad values: huge, unicode
// (lone surrogates, RTL, emoji), NUL, prototype keys, SQL and regex metacharacters, number edges,
// deep and huge JSON, nulls, missing arguments and wrong types, sent as variables or inline literals.
// A mutation added to the schema is fuzzed at once: nothing here names a mutation.
import fc from 'fast-check';
import type { GraphQLArgument, GraphQLField, GraphQLInputType, GraphQLSchema } from 'graphql';
import {
  getNamedType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';

/** How deep input objects are followed (deeper fields get null, {} or a wrong type). */
export const MAX_INPUT_DEPTH = 3;

/** One request the fuzz sends. */
export interface FuzzRequest {
  /** `variables`, `literal` or `missing` (required arguments left out). */
  mode: 'variables' | 'literal' | 'missing';
  query: string;
  variables: Record<string, unknown>;
  /** Sent without a token. */
  anonymous: boolean;
}

export interface FuzzTarget {
  field: string;
  request: fc.Arbitrary<FuzzRequest>;
}

export interface FuzzPlan {
  targets: FuzzTarget[];
  /** Mutations not fuzzed, with the reason (e.g. an argument of an upload scalar). */
  skipped: { field: string; reason: string }[];
}

/** Scalars a JSON request cannot carry (multipart uploads): a mutation needing one is skipped. */
const UNSENDABLE_SCALAR = /^Upload$|File$/;

const HUGE = 1_000_000;
/** Requests larger than this are not sent (the gateway's default limit is 8 MB: some go past it). */
export const MAX_REQUEST_CHARS = 16_000_000;
/** Built once: a 1 MB value costs nothing to reuse. */
const huge = {
  ascii: 'a'.repeat(HUGE),
  emoji: '😀'.repeat(HUGE / 4),
  nul: '\u0000'.repeat(HUGE / 8),
};

const PROTOTYPE_WORDS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'then',
];

/** Hand-picked strings of each class; the generator also mixes them and adds random ones. */
export const BAD_STRINGS: Record<string, string[]> = {
  empty: ['', ' ', '\t\n', '\r\n'.repeat(1000)],
  nul: ['\u0000', 'a\u0000b', 'name\u0000', '\u0000'.repeat(64)],
  surrogates: ['\uD800', 'x\uDBFF', '\uDC00y', '\uDE00\uD83D', 'ok\uD83D'],
  unicode: [
    '\u202Egnp.exe',
    'مرحبا بالعالم',
    'שלום\u200F',
    '\u200B\u200C\u200D\uFEFF',
    'e\u0301\u0301\u0301',
    '👩‍👩‍👧‍👦🏳️‍🌈🇺🇦',
    'Ω≈ç√∫',
    '\uFFFF\uFFFE',
    '\u{10FFFF}',
    'ﷺ',
    'İı',
  ],
  prototype: PROTOTYPE_WORDS,
  sql: [
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    "'; SELECT pg_sleep(10); --",
    '%',
    '_',
    '\\',
    "\\'",
    '1; --',
    '$1',
    '?',
  ],
  regex: ['(a+)+$', '^(a|a)*$', '[', '(?<', ')', '.*', '\\', '*', '(?=a)', '\\1', `${'a'.repeat(40)}!`],
  injection: [
    '../../../../etc/passwd',
    '..%2f..%2f',
    '%00',
    '%s%s%n',
    '${7*7}',
    '{{7*7}}',
    '<script>alert(1)</script>',
    '{"$gt":""}',
    '*)(uid=*',
    'a\nb: c',
    '-- \n#',
  ],
  numeric: ['NaN', 'Infinity', '-0', '1e309', '0x10', '9007199254740993', ' 1', '1.'],
  formats: [
    'not-a-uuid',
    '00000000-0000-0000-0000-000000000000',
    'a@b',
    'mailto:x@example.com',
    'javascript:alert(1)',
    '2026-02-30T25:61:61Z',
    '+275760-09-13T00:00:00.001Z',
  ],
};

const pieces = Object.values(BAD_STRINGS).flat();

/** A bad string: a hand-picked one, a mix, a random one (any code unit), or a huge one. */
export const badString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...pieces) },
  { weight: 3, arbitrary: fc.array(fc.constantFrom(...pieces), { minLength: 2, maxLength: 4 }).map((a) => a.join('')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
      maxLength: 40,
    }),
  },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom(huge.ascii, huge.emoji, huge.nul, `${huge.ascii}\u0000`) },
);

const INT_EDGES: unknown[] = [
  0,
  -1,
  1,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 53 + 1,
  -(2 ** 53) - 1,
  Number.MAX_SAFE_INTEGER,
  1e308,
  0.5,
  -0,
  'NaN',
  'Infinity',
  '1',
  '0x1',
];
const FLOAT_EDGES: unknown[] = [0, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 0.1, -1, 'NaN', '-Infinity', '1e999', '1.5'];

/** A value of another type than expected (GraphQL must refuse it, not crash). */
const wrongType: fc.Arbitrary<unknown> = fc.constantFrom<unknown>(1, -1.5, true, 'x', [], {}, [[[]]], { a: { b: 1 } }, [
  null,
]);

/** An object with the prototype words as own keys (as JSON.parse makes them). */
function prototypeObject(value: unknown): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const key of PROTOTYPE_WORDS)
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

function nested(depth: number, leaf: unknown, array: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i += 1) v = array ? [v] : { a: v };
  return v;
}

/** JSON values: random ones, deep ones, huge arrays, prototype keys, bad strings as keys and values. */
export const badJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 2,
    arbitrary: fc.dictionary(
      badString.filter((s) => s.length < 100),
      fc.oneof(badString, fc.constant(null), fc.integer()),
      { maxKeys: 4 },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(10, 100, 1000, 2500).chain((d) => fc.boolean().map((array) => nested(d, 'leaf', array))),
  },
  { weight: 1, arbitrary: fc.constantFrom(100_000, 250_000).map((n) => new Array<number>(n).fill(1)) },
  { weight: 1, arbitrary: fc.constant(Array.from({ length: 10_000 }, (_, i) => ({ [`k${i}`]: i }))) },
  { weight: 2, arbitrary: badString.map((s) => prototypeObject(s)) },
  {
    weight: 1,
    arbitrary: fc.constant(
      JSON.parse('{"__proto__":{"polluted":true,"isAdmin":true},"constructor":{"prototype":{"polluted":true}}}'),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 0, '', [], {}, true, 'x', 1e308) },
);

/**
 * A value for an input type. Loose (the default): mostly of the type with bad contents, sometimes
 * null, of a wrong type, with unknown or prototype keys — GraphQL must refuse it cleanly. Typed: a
 * value GraphQL accepts (required fields present, valid enum values, 32-bit Ints) whose strings,
 * JSON and numbers are still bad, so it reaches the resolvers and what is behind them.
 */
export function valueFor(
  type: GraphQLInputType,
  depth = 0,
  typed = false,
  ids: readonly string[] = [],
): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    if (typed) return ofType(type.ofType, depth, true, ids);
    return fc.oneof(
      { weight: 12, arbitrary: valueFor(type.ofType, depth, false, ids) },
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: wrongType },
    );
  }
  const inner = ofType(type, depth, typed, ids);
  if (typed) return fc.oneof({ weight: 8, arbitrary: inner }, { weight: 1, arbitrary: fc.constant(null) });
  return fc.oneof(
    { weight: 8, arbitrary: inner },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: wrongType },
  );
}

function ofType(type: GraphQLInputType, depth: number, typed: boolean, ids: readonly string[]): fc.Arbitrary<unknown> {
  if (isListType(type)) {
    const item = valueFor(type.ofType as GraphQLInputType, depth + 1, typed, ids);
    return fc.oneof(
      { weight: 6, arbitrary: fc.array(item, { maxLength: 3 }) },
      // A single value where a list is expected (GraphQL coerces it to a list of one).
      { weight: 2, arbitrary: item },
      // Many items: 10,000 of a small one (a huge one twice, so a request stays a few MB at most).
      {
        weight: 1,
        arbitrary: item.map((v) =>
          (JSON.stringify(v) ?? '').length < 1000 ? new Array<unknown>(10_000).fill(v) : [v, v],
        ),
      },
    );
  }
  if (isEnumType(type)) {
    const names = type.getValues().map((v) => v.name);
    if (typed) return fc.constantFrom(...names);
    return fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...names) },
      { weight: 2, arbitrary: badString },
      { weight: 1, arbitrary: fc.constantFrom(...names).map((n) => n.toLowerCase()) },
    );
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    const required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => f.name);
    if (typed) {
      // Deeper than the bound only what is required (input types have no required cycles).
      const wanted = depth >= MAX_INPUT_DEPTH ? fields.filter((f) => required.includes(f.name)) : fields;
      return fc.record(Object.fromEntries(wanted.map((f) => [f.name, valueFor(f.type, depth + 1, true, ids)])), {
        requiredKeys: required,
      });
    }
    if (depth >= MAX_INPUT_DEPTH) return fc.constantFrom<unknown>({}, null, 'deep');
    const record = fc.record(Object.fromEntries(fields.map((f) => [f.name, valueFor(f.type, depth + 1, false, ids)])), {
      requiredKeys: [],
    });
    return fc.tuple(record, fc.constantFrom('none', 'none', 'none', 'unknown', 'prototype')).map(([o, extra]) => {
      if (extra === 'unknown') return { ...o, notAField: 'x' };
      if (extra === 'prototype') return Object.assign(prototypeObject('x'), o);
      return o;
    });
  }
  if (isScalarType(type)) {
    const value = scalarValue(type.name, typed);
    // IDs of real resources (any kind) get past "not found" to the checks behind it.
    return type.name === 'ID' && ids.length
      ? fc.oneof({ weight: 2, arbitrary: value }, { weight: 1, arbitrary: fc.constantFrom(...ids) })
      : value;
  }
  return wrongType;
}

const INT32_EDGES = [0, -1, 1, 2 ** 31 - 1, -(2 ** 31), 1000, -1000];
const FINITE_FLOAT_EDGES = [0, -0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 0.1, -1];

function scalarValue(name: string, typed: boolean): fc.Arbitrary<unknown> {
  switch (name) {
    case 'String':
    case 'ID':
      return typed ? badString : fc.oneof({ weight: 8, arbitrary: badString }, { weight: 1, arbitrary: fc.integer() });
    case 'Int':
      return typed
        ? fc.oneof(fc.constantFrom(...INT32_EDGES), fc.integer())
        : fc.oneof(fc.constantFrom(...INT_EDGES), fc.integer());
    case 'Float':
      return typed
        ? fc.oneof(fc.constantFrom(...FINITE_FLOAT_EDGES), fc.double({ noNaN: true, noDefaultInfinity: true }))
        : fc.oneof(fc.constantFrom(...FLOAT_EDGES), fc.double({ noNaN: true }));
    case 'Boolean':
      return typed ? fc.boolean() : fc.constantFrom<unknown>(true, false, 'true', 0, 1);
    case 'JSON':
      return badJson;
    case 'JSONObject':
      return typed ? badJson.filter((v) => !!v && typeof v === 'object' && !Array.isArray(v)) : badJson;
    default:
      if (/date|time/i.test(name)) {
        const valid = fc.constantFrom<unknown>(
          '2026-01-01T00:00:00Z',
          '+275760-09-13T00:00:00.000Z',
          '-271821-04-20T00:00:00.000Z',
          '1970-01-01T00:00:00.000Z',
          '2026-12-31T23:59:59.999+14:00',
        );
        return typed ? valid : fc.oneof(valid, fc.constantFrom<unknown>(0, 8.64e15 + 1, '0000-00-00'), badString);
      }
      return typed ? badString : fc.oneof(badString, badJson, wrongType);
  }
}

/** `{ __typename }` for a composite result, nothing for a scalar or enum one. */
function selectionOf(field: GraphQLField<unknown, unknown>): string {
  return isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
}

/** A GraphQL literal of a JSON-like value; keys that are not GraphQL names are dropped. */
export function literal(value: unknown, enumNames?: ReadonlySet<string>, depth = 0): string {
  // Deeper than any token limit lets through: cut (the printer would overflow the stack first).
  if (value === null || value === undefined || depth > 300) return 'null';
  if (typeof value === 'string') return enumNames?.has(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, enumNames, depth + 1)).join(', ')}]`;
  const entries = Object.keys(value as object).filter((k) => /^[_A-Za-z][_0-9A-Za-z]*$/.test(k));
  return `{${entries.map((k) => `${k}: ${literal((value as Record<string, unknown>)[k], enumNames, depth + 1)}`).join(', ')}}`;
}

function enumNamesOf(args: readonly GraphQLArgument[]): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const visit = (type: GraphQLInputType) => {
    const named = getNamedType(type);
    if (seen.has(named.name)) return;
    seen.add(named.name);
    if (isEnumType(named)) for (const v of named.getValues()) names.add(v.name);
    if (isInputObjectType(named)) for (const f of Object.values(named.getFields())) visit(f.type);
  };
  for (const a of args) visit(a.type);
  return names;
}

/** The arbitrary of requests for one mutation field. */
export function requestsFor(
  field: GraphQLField<unknown, unknown>,
  ids: readonly string[] = [],
): fc.Arbitrary<FuzzRequest> {
  const args = field.args;
  const selection = selectionOf(field);
  const enums = enumNamesOf(args);
  // Each argument: a value, or left out (undefined).
  const loose = fc.tuple(
    ...args.map((a) =>
      fc.oneof(
        { weight: 9, arbitrary: valueFor(a.type, 0, false, ids) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
    ),
  );
  // Typed values pass GraphQL's checks and reach the resolvers; optional arguments may be left out.
  const typed = fc.tuple(
    ...args.map((a) =>
      isNonNullType(a.type) && a.defaultValue === undefined
        ? valueFor(a.type, 0, true, ids)
        : fc.option(valueFor(a.type, 0, true, ids), { nil: undefined }),
    ),
  );
  const values = fc.oneof(typed, loose);
  const asVariables = values.map((vs): Omit<FuzzRequest, 'anonymous'> => {
    const declared = args.map((a, i) => `$v${i}: ${String(a.type)}`);
    const passed = args.map((a, i) => `${a.name}: $v${i}`);
    const variables: Record<string, unknown> = {};
    vs.forEach((v, i) => {
      if (v !== undefined) variables[`v${i}`] = v;
    });
    const head = declared.length ? `(${declared.join(', ')})` : '';
    const call = passed.length ? `(${passed.join(', ')})` : '';
    return { mode: 'variables', query: `mutation Fuzz${head} { ${field.name}${call}${selection} }`, variables };
  });
  const asLiterals = values.map((vs): Omit<FuzzRequest, 'anonymous'> => {
    const passed = args.flatMap((a, i) => (vs[i] === undefined ? [] : [`${a.name}: ${literal(vs[i], enums)}`]));
    return {
      mode: 'literal',
      query: `mutation { ${field.name}${passed.length ? `(${passed.join(', ')})` : ''}${selection} }`,
      variables: {},
    };
  });
  const missing = fc.constant<Omit<FuzzRequest, 'anonymous'>>({
    mode: 'missing',
    query: `mutation { ${field.name}${selection} }`,
    variables: {},
  });
  const request = fc.oneof(
    { weight: 6, arbitrary: asVariables },
    { weight: 3, arbitrary: asLiterals },
    { weight: 1, arbitrary: missing },
  );
  return (
    fc
      .tuple(request, fc.integer({ min: 0, max: 4 }))
      .map(([r, n]) => ({ ...r, anonymous: n === 0 }))
      // Nested lists of huge strings could add up to hundreds of MB: past twice the edge limit, no new class is tested.
      .filter((r) => r.query.length + (JSON.stringify(r.variables)?.length ?? 0) <= MAX_REQUEST_CHARS)
  );
}

/** Every Mutation field of the schema, as it names them. */
export function mutationNames(schema: GraphQLSchema): string[] {
  return Object.keys(schema.getMutationType()?.getFields() ?? {});
}

/**
 * The fuzz targets of every mutation of the schema (and those skipped, with the reason).
 * @param ids ids of real resources, mixed into every ID value
 */
export function fuzzPlan(schema: GraphQLSchema, ids: readonly string[] = []): FuzzPlan {
  const plan: FuzzPlan = { targets: [], skipped: [] };
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const unsendable = field.args.find(
      (a) => isScalarType(getNamedType(a.type)) && UNSENDABLE_SCALAR.test(getNamedType(a.type).name),
    );
    if (unsendable) {
      plan.skipped.push({
        field: field.name,
        reason: `argument ${unsendable.name} is a ${getNamedType(unsendable.type).name} (multipart upload), not a JSON value`,
      });
      continue;
    }
    plan.targets.push({ field: field.name, request: requestsFor(field, ids) });
  }
  return plan;
}
