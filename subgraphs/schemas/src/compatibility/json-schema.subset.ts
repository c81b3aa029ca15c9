import { jsonEqual } from './canonical-json';
import type { DocumentValidators } from './json-schema.ajv';
import type { JsonSchemaObject, SchemaNode } from './json-schema.document';
import { SchemaMemo, acceptsEverything, enumValues, typeSet } from './json-schema.keywords';
import { checkArray, checkNumber, checkObject, checkString } from './json-schema.structure';
import type { Incompatibility } from './schema-types';

const MAX_DEPTH = 200;
const COMBINATORS = ['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else'];

/**
 * Decides whether every instance valid under a writer schema is valid under a reader schema
 * (JSON Schema inclusion), returning the reasons when it cannot prove it. Sound where it says yes
 * for the keywords it knows; `oneOf` against `oneOf` and `if`/`then`/`else` are compared branch by
 * branch, as Apicurio and Confluent do. Recursive schemas are handled co-inductively: a pair of
 * subschemas already being compared is assumed included.
 */
export class JsonSchemaSubsetChecker {
  private readonly inProgress = new Set<string>();
  private readonly memo = new SchemaMemo();
  private depth = 0;

  constructor(private readonly validators: DocumentValidators) {}

  /** Reasons why `writer` instances may be rejected by `reader`; empty when inclusion is proven. */
  check(writer: SchemaNode, reader: SchemaNode, path = '#'): Incompatibility[] {
    const w = this.deref(writer);
    const r = this.deref(reader);
    if (acceptsEverything(r.schema) || w.schema === false) return [];
    if (r.schema === false) return [{ path, message: 'the reader accepts nothing here, the writer does' }];
    const ws: JsonSchemaObject = w.schema === true ? {} : w.schema;
    const wn = { schema: ws, doc: w.doc };
    const rn = r as SchemaNode & { schema: JsonSchemaObject };
    if (w.doc === r.doc && ws === rn.schema) return [];
    const key = `${this.memo.idOf(ws)}:${this.memo.idOf(rn.schema)}`;
    if (this.inProgress.has(key) || this.depth > MAX_DEPTH) return [];
    this.inProgress.add(key);
    this.depth++;
    try {
      return this.compare(wn, rn, path);
    } finally {
      this.depth--;
      this.inProgress.delete(key);
    }
  }

  /** Whether the two schemas accept exactly the same instances (as far as provable). */
  equivalent(a: SchemaNode, b: SchemaNode): boolean {
    return this.check(a, b).length === 0 && this.check(b, a).length === 0;
  }

  private deref(node: SchemaNode): SchemaNode {
    let cur = node;
    for (let i = 0; i < 64 && typeof cur.schema === 'object' && typeof cur.schema.$ref === 'string'; i++) {
      const s = cur.schema;
      const ref = s.$ref as string;
      const hasSiblings = Object.keys(s).some(
        (k) => k !== '$ref' && k !== '$schema' && k !== '$id' && k !== 'definitions' && k !== '$defs',
      );
      if (hasSiblings && cur.doc.dialect !== 'draft-07') {
        const rest = this.memo.without(cur, ['$ref']);
        const target = cur.doc.resolve(ref);
        if (target.doc !== cur.doc) return cur;
        const { merged } = this.memo.merge(rest.schema as JsonSchemaObject, this.memo.allOfOne(target.schema));
        return { schema: merged, doc: cur.doc };
      }
      cur = cur.doc.resolve(ref);
    }
    return cur;
  }

  private compare(
    w: SchemaNode & { schema: JsonSchemaObject },
    r: SchemaNode & { schema: JsonSchemaObject },
    path: string,
  ): Incompatibility[] {
    const ws = w.schema;
    const rs = r.schema;
    if (!hasRefs(ws) && !hasRefs(rs) && jsonEqual(ws, rs)) return [];

    if (Array.isArray(ws.allOf)) return this.writerConjunction(w, r, path);
    if (Array.isArray(rs.allOf)) {
      return [
        ...this.check(w, this.memo.without(r, ['allOf']), path),
        ...(rs.allOf as unknown[]).flatMap((x, i) => this.check(w, child(r, x), `${path}/allOf/${i}`)),
      ];
    }
    if (Array.isArray(ws.oneOf) && Array.isArray(rs.oneOf)) return this.branchwise(w, r, 'oneOf', path);
    for (const k of ['anyOf', 'oneOf']) {
      if (Array.isArray(ws[k])) {
        const rest = this.memo.without(w, [k]).schema as JsonSchemaObject;
        return (ws[k] as unknown[]).flatMap((branch) => {
          const b = child(w, branch);
          const bd = this.deref(b);
          const { merged } =
            bd.doc === w.doc && typeof bd.schema === 'object' ? this.memo.merge(rest, bd.schema) : { merged: rest };
          if (bd.schema === false) return [];
          return this.check({ schema: merged, doc: w.doc }, r, path);
        });
      }
    }
    if (Array.isArray(rs.anyOf)) {
      const out = this.check(w, this.memo.without(r, ['anyOf']), path);
      const branches = rs.anyOf as unknown[];
      if (!branches.some((b) => this.check(w, child(r, b), path).length === 0)) {
        out.push({
          path: `${path}/anyOf`,
          message: "the writer allows values that match none of the reader's anyOf branches",
        });
      }
      return out;
    }
    if (Array.isArray(rs.oneOf)) {
      const out = this.check(w, this.memo.without(r, ['oneOf']), path);
      const branches = (rs.oneOf as unknown[]).map((b) => child(r, b));
      const ok = branches.some(
        (b, i) => this.check(w, b, path).length === 0 && branches.every((o, j) => j === i || this.disjoint(w, o)),
      );
      if (!ok)
        out.push({
          path: `${path}/oneOf`,
          message: "the writer allows values that do not match exactly one of the reader's oneOf branches",
        });
      return out;
    }
    if (rs.not !== undefined) {
      const out = this.check(this.memo.without(w, ['not']), this.memo.without(r, ['not']), path);
      if (ws.not !== undefined) out.push(...this.check(child(r, rs.not), child(w, ws.not), `${path}/not`));
      else if (!this.disjoint(w, child(r, rs.not)))
        out.push({ path: `${path}/not`, message: 'the writer allows values the reader excludes with "not"' });
      return out;
    }
    if (rs.if !== undefined) return this.conditional(w, r, path);
    return this.compareSimple(this.memo.without(w, COMBINATORS), r, path);
  }

  private writerConjunction(
    w: SchemaNode & { schema: JsonSchemaObject },
    r: SchemaNode,
    path: string,
  ): Incompatibility[] {
    let merged = this.memo.without(w, ['allOf']).schema as JsonSchemaObject;
    const residual: SchemaNode[] = [];
    for (const x of w.schema.allOf as unknown[]) {
      const xn = this.deref(child(w, x));
      if (xn.doc !== w.doc || typeof xn.schema !== 'object') {
        if (xn.schema === false) return [];
        if (xn.schema !== true) residual.push(xn);
        continue;
      }
      const m = this.memo.merge(merged, xn.schema);
      merged = m.merged;
      residual.push(...m.residual.map((s) => child(w, s)));
    }
    const out = this.check({ schema: merged, doc: w.doc }, r, path);
    if (out.length && residual.some((x) => this.check(x, r, path).length === 0)) return [];
    return out;
  }

  private branchwise(
    w: SchemaNode & { schema: JsonSchemaObject },
    r: SchemaNode & { schema: JsonSchemaObject },
    k: string,
    path: string,
  ): Incompatibility[] {
    const out = this.check(this.memo.without(w, [k]), this.memo.without(r, [k]), path);
    const rb = (r.schema[k] as unknown[]).map((b) => child(r, b));
    (w.schema[k] as unknown[]).forEach((b, i) => {
      if (!rb.some((x) => this.check(child(w, b), x, path).length === 0)) {
        out.push({
          path: `${path}/${k}/${i}`,
          message: `${k} branch ${i} of the writer matches no ${k} branch of the reader`,
        });
      }
    });
    return out;
  }

  private conditional(
    w: SchemaNode & { schema: JsonSchemaObject },
    r: SchemaNode & { schema: JsonSchemaObject },
    path: string,
  ): Incompatibility[] {
    const ws = w.schema;
    const rs = r.schema;
    const base = this.memo.without(w, ['if', 'then', 'else']);
    const out = this.check(base, this.memo.without(r, ['if', 'then', 'else']), path);
    if (ws.if !== undefined) {
      if (!this.equivalent(child(w, ws.if), child(r, rs.if)))
        return [...out, { path: `${path}/if`, message: 'the condition ("if") changed' }];
      // A branch only ever sees instances that already satisfy the rest of the schema.
      const inContext = (branch: unknown): SchemaNode => ({
        schema: this.memo.merge(base.schema as JsonSchemaObject, (branch ?? true) as JsonSchemaObject).merged,
        doc: w.doc,
      });
      out.push(...this.check(inContext(ws.then), child(r, rs.then), `${path}/then`));
      out.push(...this.check(inContext(ws.else), child(r, rs.else), `${path}/else`));
      return out;
    }
    out.push(...this.check(w, child(r, rs.then), `${path}/then`));
    out.push(...this.check(w, child(r, rs.else), `${path}/else`));
    return out;
  }

  /** True only when no instance can satisfy both (different types, or no shared enum value). */
  private disjoint(a: SchemaNode, b: SchemaNode): boolean {
    const an = this.deref(a);
    const bn = this.deref(b);
    if (an.schema === false || bn.schema === false) return true;
    if (typeof an.schema !== 'object' || typeof bn.schema !== 'object') return false;
    const at = typeSet(an.schema);
    const bt = typeSet(bn.schema);
    if (![...at].some((t) => bt.has(t))) return true;
    const av = enumValues(an.schema);
    if (av) return av.every((v) => !this.validators.accepts(an, v) || !this.validators.accepts(bn, v));
    const bv = enumValues(bn.schema);
    if (bv) return bv.every((v) => !this.validators.accepts(an, v) || !this.validators.accepts(bn, v));
    return false;
  }

  private compareSimple(w: SchemaNode, r: SchemaNode & { schema: JsonSchemaObject }, path: string): Incompatibility[] {
    const ws = w.schema as JsonSchemaObject;
    const rs = r.schema;
    if (Array.isArray(ws.type) && ws.type.length === 0) return [];
    const wValues = enumValues(ws);
    const rValues = enumValues(rs);
    if (wValues) {
      const out: Incompatibility[] = [];
      if (rValues) {
        const missing = wValues.filter((v) => !rValues.some((x) => jsonEqual(x, v)));
        if (missing.length)
          out.push({
            path: `${path}/enum`,
            message: `values ${missing.map((v) => JSON.stringify(v)).join(', ')} are no longer allowed`,
          });
      }
      for (const v of wValues) {
        if (this.validators.accepts(w, v) && !this.validators.accepts(r, v) && !out.length) {
          out.push({ path, message: `value ${JSON.stringify(v)} allowed by the writer is rejected by the reader` });
        }
      }
      return out;
    }
    const wTypes = typeSet(ws);
    const rTypes = typeSet(rs);
    const out: Incompatibility[] = [];
    if (rValues) {
      const finite = [...wTypes].every((t) => t === 'null' || t === 'boolean');
      const candidates = [null, true, false].filter((v) => this.validators.accepts(w, v));
      if (!finite || candidates.some((v) => !rValues.some((x) => jsonEqual(x, v)))) {
        out.push({
          path: `${path}/enum`,
          message: 'the reader restricts values to an enumeration the writer does not',
        });
      }
    }
    for (const t of wTypes) {
      if (t === 'integer' && wTypes.has('number')) continue;
      if (!rTypes.has(t)) {
        out.push({ path: `${path}/type`, message: `type "${t}" is allowed by the writer but not by the reader` });
        continue;
      }
      const rn = this.memo.without(r, COMBINATORS);
      if (t === 'string') out.push(...checkString(ws, rs, path));
      else if (t === 'number' || t === 'integer') out.push(...checkNumber(ws, rs, path, t === 'integer'));
      else if (t === 'object') out.push(...checkObject(w, rn, path, (a, b, p) => this.check(a, b, p)));
      else if (t === 'array') out.push(...checkArray(w, rn, path, (a, b, p) => this.check(a, b, p)));
    }
    return out;
  }
}

function child(parent: SchemaNode, schema: unknown): SchemaNode {
  return { schema: (schema ?? true) as SchemaNode['schema'], doc: parent.doc };
}

function hasRefs(s: unknown): boolean {
  if (Array.isArray(s)) return s.some(hasRefs);
  if (s === null || typeof s !== 'object') return false;
  return Object.entries(s).some(
    ([k, v]) =>
      k === '$ref' ||
      k === '$dynamicRef' ||
      k === '$recursiveRef' ||
      (k !== 'enum' && k !== 'const' && k !== 'default' && hasRefs(v)),
  );
}
