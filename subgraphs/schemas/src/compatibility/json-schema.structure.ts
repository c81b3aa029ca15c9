import type { UserRegExp } from '../../../../lib/src/index';
import { compileUserPattern } from '../../../../lib/src/index';
import { jsonEqual } from './canonical-json';
import type { JsonSchema, JsonSchemaObject, SchemaNode } from './json-schema.document';
import { isMultiple, isObject } from './json-schema.keywords';
import type { Incompatibility } from './schema-types';

/** Checks that every instance of `writer` is an instance of `reader`; empty when proven. */
export type SubsetCheck = (writer: SchemaNode, reader: SchemaNode, path: string) => Incompatibility[];

type Bound = { value: number; exclusive: boolean };

const at = (node: SchemaNode, schema: unknown): SchemaNode => ({
  schema: (schema ?? true) as JsonSchema,
  doc: node.doc,
});
const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const fail = (path: string, message: string): Incompatibility[] => [{ path, message }];

/** Keywords that are compared as equal-or-dropped: a reader may drop them, never add or change them. */
const EXACT_STRING_KEYWORDS = ['pattern', 'format', 'contentEncoding', 'contentMediaType'];

/** String keywords: the reader's length range must contain the writer's; pattern and format may only be dropped. */
export function checkString(w: JsonSchemaObject, r: JsonSchemaObject, path: string): Incompatibility[] {
  const out: Incompatibility[] = [];
  const wMin = num(w.minLength) ?? 0;
  const rMin = num(r.minLength) ?? 0;
  if (wMin < rMin)
    out.push({
      path: `${path}/minLength`,
      message: `strings shorter than ${rMin} are rejected by the reader (writer minLength ${wMin})`,
    });
  const wMax = num(w.maxLength) ?? Infinity;
  const rMax = num(r.maxLength) ?? Infinity;
  if (wMax > rMax)
    out.push({
      path: `${path}/maxLength`,
      message: `strings longer than ${rMax} are rejected by the reader (writer maxLength ${wMax === Infinity ? 'unbounded' : wMax})`,
    });
  for (const k of EXACT_STRING_KEYWORDS) {
    if (r[k] !== undefined && !jsonEqual(r[k], w[k])) {
      out.push({
        path: `${path}/${k}`,
        message:
          w[k] === undefined
            ? `the reader adds ${k} ${JSON.stringify(r[k])}`
            : `${k} changed from ${JSON.stringify(w[k])} to ${JSON.stringify(r[k])}`,
      });
    }
  }
  return out;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function bound(
  s: JsonSchemaObject,
  incl: string,
  excl: string,
  pickHigher: boolean,
  integer: boolean,
): Bound | undefined {
  const candidates: Bound[] = [];
  if (typeof s[incl] === 'number') candidates.push({ value: s[incl] as number, exclusive: false });
  if (typeof s[excl] === 'number') candidates.push({ value: s[excl] as number, exclusive: true });
  if (integer) {
    for (const c of candidates) {
      if (pickHigher) c.value = c.exclusive ? Math.floor(c.value) + 1 : Math.ceil(c.value);
      else c.value = c.exclusive ? Math.ceil(c.value) - 1 : Math.floor(c.value);
      c.exclusive = false;
    }
  }
  return candidates.reduce<Bound | undefined>((best, c) => {
    if (!best) return c;
    if (c.value === best.value) return c.exclusive ? c : best;
    return pickHigher === c.value > best.value ? c : best;
  }, undefined);
}

function describe(b: Bound | undefined, lower: boolean): string {
  if (!b) return 'unbounded';
  return `${lower ? (b.exclusive ? '>' : '>=') : b.exclusive ? '<' : '<='} ${b.value}`;
}

/** Numeric keywords: the reader's range must contain the writer's, its multipleOf must divide the writer's. */
export function checkNumber(
  w: JsonSchemaObject,
  r: JsonSchemaObject,
  path: string,
  integer: boolean,
): Incompatibility[] {
  const out: Incompatibility[] = [];
  const wl = bound(w, 'minimum', 'exclusiveMinimum', true, integer);
  const rl = bound(r, 'minimum', 'exclusiveMinimum', true, integer);
  if (rl && (!wl || wl.value < rl.value || (wl.value === rl.value && rl.exclusive && !wl.exclusive))) {
    out.push({
      path: `${path}/minimum`,
      message: `the reader requires numbers ${describe(rl, true)}, the writer allows ${describe(wl, true)}`,
    });
  }
  const wu = bound(w, 'maximum', 'exclusiveMaximum', false, integer);
  const ru = bound(r, 'maximum', 'exclusiveMaximum', false, integer);
  if (ru && (!wu || wu.value > ru.value || (wu.value === ru.value && ru.exclusive && !wu.exclusive))) {
    out.push({
      path: `${path}/maximum`,
      message: `the reader requires numbers ${describe(ru, false)}, the writer allows ${describe(wu, false)}`,
    });
  }
  const rm = num(r.multipleOf);
  const wm = num(w.multipleOf) ?? (integer ? 1 : undefined);
  if (rm !== undefined && (wm === undefined || !isMultiple(wm, rm))) {
    out.push({
      path: `${path}/multipleOf`,
      message: `the reader requires multiples of ${rm}, the writer ${wm === undefined ? 'allows any number' : `produces multiples of ${wm}`}`,
    });
  }
  return out;
}

interface ArrayModel {
  prefix: unknown[];
  rest: unknown;
}

/** Tuple prefix and the schema for the remaining items, for draft-07 (`items: []` + `additionalItems`) and 2020-12 (`prefixItems` + `items`). */
function arrayModel(s: JsonSchemaObject, doc: SchemaNode['doc']): ArrayModel {
  // With combinators already split off, unevaluatedItems governs exactly the items nothing else covers.
  const unevaluated = (doc.dialect === 'draft-07' ? undefined : s.unevaluatedItems) ?? true;
  if (Array.isArray(s.prefixItems)) return { prefix: s.prefixItems, rest: s.items ?? unevaluated };
  if (Array.isArray(s.items)) return { prefix: s.items, rest: s.additionalItems ?? unevaluated };
  return { prefix: [], rest: s.items ?? unevaluated };
}

/** Array keywords, position by position, then the tail, `contains` and the size bounds. */
export function checkArray(wn: SchemaNode, rn: SchemaNode, path: string, check: SubsetCheck): Incompatibility[] {
  const w = wn.schema as JsonSchemaObject;
  const r = rn.schema as JsonSchemaObject;
  const out: Incompatibility[] = [];
  const wa = arrayModel(w, wn.doc);
  const ra = arrayModel(r, rn.doc);
  const wMaxItems = num(w.maxItems) ?? Infinity;
  let reachable = true;
  for (let i = 0; i < Math.max(wa.prefix.length, ra.prefix.length); i++) {
    if (i >= wMaxItems) {
      reachable = false;
      break;
    }
    const wi = i < wa.prefix.length ? wa.prefix[i] : wa.rest;
    const ri = i < ra.prefix.length ? ra.prefix[i] : ra.rest;
    out.push(...check(at(wn, wi), at(rn, ri), `${path}/items/${i}`));
    if (wi === false) {
      reachable = false;
      break;
    }
  }
  if (reachable && wMaxItems > Math.max(wa.prefix.length, ra.prefix.length)) {
    out.push(
      ...check(
        at(wn, wa.rest),
        at(rn, ra.rest),
        `${path}/${Array.isArray(r.prefixItems) || !Array.isArray(r.items) ? 'items' : 'additionalItems'}`,
      ),
    );
  }
  if (r.contains !== undefined) {
    if (w.contains === undefined)
      out.push(...fail(`${path}/contains`, 'the reader requires an item matching "contains", the writer does not'));
    else {
      out.push(...check(at(wn, w.contains), at(rn, r.contains), `${path}/contains`));
      const wMin = num(w.minContains) ?? 1;
      const rMin = num(r.minContains) ?? 1;
      if (wMin < rMin)
        out.push({
          path: `${path}/minContains`,
          message: `the reader requires ${rMin} matching items, the writer ${wMin}`,
        });
      const wMaxC = num(w.maxContains) ?? Infinity;
      const rMaxC = num(r.maxContains) ?? Infinity;
      if (wMaxC > rMaxC)
        out.push({
          path: `${path}/maxContains`,
          message: `the reader allows at most ${rMaxC} matching items, the writer ${wMaxC === Infinity ? 'any number' : wMaxC}`,
        });
    }
  }
  out.push(...sizeBounds(w, r, path, 'minItems', 'maxItems', 'items'));
  if (r.uniqueItems === true && w.uniqueItems !== true)
    out.push({
      path: `${path}/uniqueItems`,
      message: 'the reader requires unique items, the writer allows duplicates',
    });
  return out;
}

function sizeBounds(
  w: JsonSchemaObject,
  r: JsonSchemaObject,
  path: string,
  minKey: string,
  maxKey: string,
  noun: string,
): Incompatibility[] {
  const out: Incompatibility[] = [];
  const wMin = num(w[minKey]) ?? 0;
  const rMin = num(r[minKey]) ?? 0;
  if (wMin < rMin)
    out.push({
      path: `${path}/${minKey}`,
      message: `the reader requires at least ${rMin} ${noun}, the writer allows ${wMin}`,
    });
  const wMax = num(w[maxKey]) ?? Infinity;
  const rMax = num(r[maxKey]) ?? Infinity;
  if (wMax > rMax)
    out.push({
      path: `${path}/${maxKey}`,
      message: `the reader allows at most ${rMax} ${noun}, the writer ${wMax === Infinity ? 'allows any number' : `allows ${wMax}`}`,
    });
  return out;
}

/** Regexes that start with distinct literal prefixes (`^S_` vs `^I_`) cannot match the same name. */
function patternsMayOverlap(p: string, q: string): boolean {
  const lit = (s: string) => (s.startsWith('^') ? (/^[A-Za-z0-9_\-:@ ]*/.exec(s.slice(1))?.[0] ?? '') : undefined);
  const a = lit(p);
  const b = lit(q);
  if (a === undefined || b === undefined) return true;
  return a.startsWith(b) || b.startsWith(a);
}

function safeRegExp(p: string): UserRegExp | undefined {
  try {
    return compileUserPattern(p);
  } catch {
    return undefined;
  }
}

/** Schemas a property named `name` must satisfy under `s`: its own, matching patterns, else `additionalProperties`. */
function propertySchemas(s: JsonSchemaObject, name: string, doc: SchemaNode['doc']): unknown[] {
  const props = isObject(s.properties) ? s.properties : {};
  const patterns = isObject(s.patternProperties) ? s.patternProperties : {};
  const out: unknown[] = [];
  if (Object.prototype.hasOwnProperty.call(props, name)) out.push(props[name]);
  for (const [p, ps] of Object.entries(patterns)) if (safeRegExp(p)?.test(name) ?? true) out.push(ps);
  if (out.length === 0) out.push(additional(s, doc));
  return out;
}

/** What an undeclared property must satisfy; with combinators split off, `unevaluatedProperties` acts like `additionalProperties`. */
function additional(s: JsonSchemaObject, doc: SchemaNode['doc']): unknown {
  return s.additionalProperties ?? (doc.dialect === 'draft-07' ? undefined : s.unevaluatedProperties) ?? true;
}

const conjunction = (schemas: unknown[]): unknown => (schemas.length === 1 ? schemas[0] : { allOf: schemas });

/**
 * Object keywords. Under an open content model (no `additionalProperties: false`) an undeclared
 * property may hold any value, so it is compared like a declared property with schema `true`.
 */
export function checkObject(wn: SchemaNode, rn: SchemaNode, path: string, check: SubsetCheck): Incompatibility[] {
  const w = wn.schema as JsonSchemaObject;
  const r = rn.schema as JsonSchemaObject;
  const out: Incompatibility[] = [];
  const names = new Set([
    ...Object.keys(isObject(w.properties) ? w.properties : {}),
    ...Object.keys(isObject(r.properties) ? r.properties : {}),
  ]);
  for (const name of names) {
    out.push(
      ...check(
        at(wn, conjunction(propertySchemas(w, name, wn.doc))),
        at(rn, conjunction(propertySchemas(r, name, rn.doc))),
        `${path}/properties/${escape(name)}`,
      ),
    );
  }
  const wRequired = new Set(Array.isArray(w.required) ? (w.required as string[]) : []);
  for (const req of Array.isArray(r.required) ? (r.required as string[]) : []) {
    if (!wRequired.has(req))
      out.push({
        path: `${path}/required`,
        message: `property "${req}" is required by the reader but optional for the writer`,
      });
  }
  const wPatterns = isObject(w.patternProperties) ? w.patternProperties : {};
  const rPatterns = isObject(r.patternProperties) ? r.patternProperties : {};
  const wAdditional = additional(w, wn.doc);
  const rAdditional = additional(r, rn.doc);
  for (const [q, rs] of Object.entries(rPatterns)) {
    const ppath = `${path}/patternProperties/${escape(q)}`;
    if (Object.prototype.hasOwnProperty.call(wPatterns, q)) {
      out.push(...check(at(wn, wPatterns[q]), at(rn, rs), ppath));
      continue;
    }
    out.push(...check(at(wn, wAdditional), at(rn, rs), ppath));
    for (const [p, ws] of Object.entries(wPatterns))
      if (patternsMayOverlap(p, q)) out.push(...check(at(wn, ws), at(rn, rs), ppath));
  }
  for (const [p, ws] of Object.entries(wPatterns)) {
    if (!Object.prototype.hasOwnProperty.call(rPatterns, p))
      out.push(...check(at(wn, ws), at(rn, rAdditional), `${path}/additionalProperties`));
  }
  out.push(...check(at(wn, wAdditional), at(rn, rAdditional), `${path}/additionalProperties`));
  if (r.propertyNames !== undefined)
    out.push(...check(at(wn, w.propertyNames ?? true), at(rn, r.propertyNames), `${path}/propertyNames`));
  out.push(...sizeBounds(w, r, path, 'minProperties', 'maxProperties', 'properties'));
  out.push(...checkDependencies(wn, rn, path, check));
  return out;
}

function dependencies(s: JsonSchemaObject): { required: Map<string, string[]>; schemas: Map<string, unknown> } {
  const required = new Map<string, string[]>();
  const schemas = new Map<string, unknown>();
  const add = (source: unknown) => {
    if (!isObject(source)) return;
    for (const [k, v] of Object.entries(source)) {
      if (Array.isArray(v)) required.set(k, [...(required.get(k) ?? []), ...(v as string[])]);
      else schemas.set(k, v);
    }
  };
  add(s.dependencies);
  add(s.dependentRequired);
  add(s.dependentSchemas);
  return { required, schemas };
}

function checkDependencies(wn: SchemaNode, rn: SchemaNode, path: string, check: SubsetCheck): Incompatibility[] {
  const w = wn.schema as JsonSchemaObject;
  const wd = dependencies(w);
  const rd = dependencies(rn.schema as JsonSchemaObject);
  const out: Incompatibility[] = [];
  const wRequired = new Set(Array.isArray(w.required) ? (w.required as string[]) : []);
  for (const [k, list] of rd.required) {
    const have = new Set([...wRequired, ...(wd.required.get(k) ?? [])]);
    const missing = list.filter((x) => !have.has(x));
    if (missing.length)
      out.push({
        path: `${path}/dependencies/${escape(k)}`,
        message: `when "${k}" is present the reader requires ${missing.map((m) => `"${m}"`).join(', ')}, the writer does not`,
      });
  }
  for (const [k, rs] of rd.schemas) {
    const own = wd.schemas.get(k);
    const viaOwn = own === undefined ? undefined : check(at(wn, own), at(rn, rs), `${path}/dependencies/${escape(k)}`);
    if (viaOwn && viaOwn.length === 0) continue;
    const viaWhole = check(wn, at(rn, rs), `${path}/dependencies/${escape(k)}`);
    if (viaWhole.length) out.push(...(viaOwn ?? viaWhole));
  }
  return out;
}
