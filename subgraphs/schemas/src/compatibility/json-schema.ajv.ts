import type { AnySchema, AnySchemaObject, ErrorObject, ValidateFunction } from 'ajv';
import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import type AjvCore from 'ajv/dist/core';
import addFormats from 'ajv-formats';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';
import { userRegExpEngine } from '../../../../lib/src/index';
import type { Dialect, JsonSchemaDocument, SchemaNode } from './json-schema.document';
import { SchemaParseError } from './schema-types';

const ORIGIN = 'https://schemas.aic.invalid/';

/** The URI a document is registered under in Ajv. */
export function documentUri(doc: JsonSchemaDocument): string {
  return `${ORIGIN}${doc.key}`;
}

/**
 * Copies `schema` with every `$ref` made absolute (pointing at the registered URI of the document
 * it resolves in) and `$schema` removed, so Ajv resolves references exactly as our engine does.
 */
export function absolutize(schema: unknown, doc: JsonSchemaDocument, rootId?: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => absolutize(s, doc));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === '$schema' || k === 'id') continue;
    if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') out[k] = v;
    else if ((k === '$ref' || k === '$dynamicRef' || k === '$recursiveRef') && typeof v === 'string')
      out[k] = absoluteRef(v, doc);
    else if (k === '$id' && rootId !== undefined) continue;
    else out[k] = absolutize(v, doc);
  }
  // The specs only say an enum SHOULD be non-empty, Ajv refuses `enum: []`: it means "nothing is valid".
  // `type: []` only arises from intersecting disjoint types while comparing: it also means "nothing".
  if (Array.isArray(out.type) && out.type.length === 0) {
    delete out.type;
    out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), false];
  }
  if (Array.isArray(out.enum) && out.enum.length === 0) {
    delete out.enum;
    out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), false];
  }
  if (rootId !== undefined) out.$id = rootId;
  return out;
}

function absoluteRef(ref: string, doc: JsonSchemaDocument): string {
  const hash = ref.indexOf('#');
  const base = hash < 0 ? ref : ref.slice(0, hash);
  const fragment = hash < 0 ? '' : ref.slice(hash + 1);
  const target = doc.documentFor(base);
  if (!target) throw new SchemaParseError(`Unresolvable $ref "${ref}": no referenced schema named "${base}"`, ref);
  return `${documentUri(target)}#${fragment}`;
}

/**
 * A fresh Ajv for a dialect: formats on, unknown keywords tolerated (schemas carry vendor annotations),
 * `pattern` and `patternProperties` run on lib's linear-time engine (a user pattern cannot stall the service).
 */
export function createAjv(dialect: Dialect): AjvCore {
  const opts = {
    strict: false,
    allErrors: true,
    logger: false as const,
    validateFormats: true,
    code: { regExp: userRegExpEngine },
  };
  let ajv: AjvCore;
  if (dialect === '2020-12') ajv = new Ajv2020(opts);
  else if (dialect === '2019-09') ajv = new Ajv2019(opts);
  else {
    ajv = new Ajv(opts);
    ajv.addMetaSchema(draft06 as AnySchemaObject);
  }
  if (dialect !== 'draft-07') ajv.addMetaSchema(draft07 as AnySchemaObject);
  addFormats(ajv as Ajv);
  return ajv;
}

/**
 * Compiles documents into validators: each reachable document is registered once under its key
 * (keys must identify content), then any node (a root or a subschema) can be compiled against them.
 */
export class DocumentValidators {
  private readonly instances = new Map<Dialect, { ajv: AjvCore; registered: Set<string> }>();

  /** How many documents are registered, to let an owner drop this cache when it grows. */
  get size(): number {
    return [...this.instances.values()].reduce((n, i) => n + i.registered.size, 0);
  }

  /**
   * A validator for `node`.
   * @throws SchemaParseError when the schema is invalid for its dialect
   */
  compile(node: SchemaNode): ValidateFunction {
    const ajv = this.ajvFor(node.doc);
    try {
      if (node.schema === node.doc.root) {
        const v = ajv.getSchema(documentUri(node.doc));
        if (v) return v;
      }
      return ajv.compile(absolutize(node.schema, node.doc) as AnySchema);
    } catch (err) {
      if (err instanceof SchemaParseError) throw err;
      throw new SchemaParseError(`Invalid JSON Schema: ${(err as Error).message}`);
    }
  }

  /** Whether `value` is valid against `node`. */
  accepts(node: SchemaNode, value: unknown): boolean {
    return this.compile(node)(value) === true;
  }

  private ajvFor(doc: JsonSchemaDocument): AjvCore {
    let inst = this.instances.get(doc.dialect);
    if (!inst) this.instances.set(doc.dialect, (inst = { ajv: createAjv(doc.dialect), registered: new Set() }));
    for (const d of doc.reachable()) {
      // Keys are content-derived: a key already registered holds the same document.
      if (inst.registered.has(d.key)) continue;
      inst.registered.add(d.key);
      try {
        inst.ajv.addSchema(absolutize(d.root, d, documentUri(d)) as AnySchema, documentUri(d));
      } catch (err) {
        if (err instanceof SchemaParseError) throw err;
        throw new SchemaParseError(`Invalid JSON Schema: ${(err as Error).message}`);
      }
    }
    return inst.ajv;
  }
}

/** Ajv errors as `{ path, message }` with `path` a JSON pointer to the offending value ('' = the record). */
export function toRecordErrors(errors: ErrorObject[] | null | undefined): { path: string; message: string }[] {
  return (errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? (e.params as { missingProperty?: string }).missingProperty : undefined;
    const extra =
      e.keyword === 'additionalProperties'
        ? (e.params as { additionalProperty?: string }).additionalProperty
        : undefined;
    const leaf = missing ?? extra;
    const path =
      leaf === undefined ? e.instancePath : `${e.instancePath}/${leaf.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    return { path, message: e.message ?? e.keyword };
  });
}
