import { SchemaParseError } from './schema-types';

export type JsonSchema = boolean | JsonSchemaObject;
export type JsonSchemaObject = { [keyword: string]: unknown };

/** JSON Schema dialects we tell apart; draft-04 is rewritten to draft-07 on load. */
export type Dialect = 'draft-07' | '2019-09' | '2020-12';

/** A schema inside a document: `$ref`s in `schema` resolve against `doc`. */
export interface SchemaNode {
  schema: JsonSchema;
  doc: JsonSchemaDocument;
}

/**
 * Detects the dialect from `$schema`: draft-04, -06 and -07 (and no `$schema`) load as draft-07,
 * 2019-09 and 2020-12 as themselves.
 */
export function detectDialect(root: JsonSchema): { dialect: Dialect; draft4: boolean } {
  const uri = typeof root === 'object' && typeof root.$schema === 'string' ? root.$schema : '';
  if (uri.includes('2020-12')) return { dialect: '2020-12', draft4: false };
  if (uri.includes('2019-09')) return { dialect: '2019-09', draft4: false };
  return { dialect: 'draft-07', draft4: uri.includes('draft-04') || uri.includes('draft-03') };
}

/**
 * Rewrites draft-04 spellings into their draft-06+ equivalents (boolean `exclusiveMinimum` /
 * `exclusiveMaximum` next to `minimum` / `maximum`, `id`), so one engine and one validator
 * handle both.
 */
export function upgradeDraft4(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(upgradeDraft4);
  if (schema === null || typeof schema !== 'object') return schema;
  const src = schema as JsonSchemaObject;
  const out: JsonSchemaObject = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') out[k] = v;
    else if (k === 'id' && typeof v === 'string' && src.$id === undefined) out.$id = v;
    else out[k] = upgradeDraft4(v);
  }
  if (out.$schema !== undefined) out.$schema = 'http://json-schema.org/draft-07/schema#';
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[flag] === 'boolean') {
      if (out[flag] === true && typeof out[bound] === 'number') {
        out[flag] = out[bound];
        delete out[bound];
      } else delete out[flag];
    }
  }
  return out;
}

function decodePointerToken(token: string): string {
  return decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~');
}

/**
 * One JSON Schema document (a root plus the documents it references by name), with `$ref`
 * resolution for JSON pointers, plain-name fragments (`$id: "#x"`, `$anchor`) and references to
 * other documents by name or by URL relative to the root `$id`.
 */
export class JsonSchemaDocument {
  readonly root: JsonSchema;
  readonly dialect: Dialect;
  readonly baseUri: string | undefined;
  private readonly anchors = new Map<string, JsonSchema>();
  private readonly external = new Map<string, JsonSchemaDocument>();

  constructor(
    root: unknown,
    /** Stable key a validator registers this document under. */
    readonly key: string,
  ) {
    if (typeof root !== 'boolean' && (root === null || typeof root !== 'object' || Array.isArray(root))) {
      throw new SchemaParseError('A JSON Schema must be an object or a boolean');
    }
    const { dialect, draft4 } = detectDialect(root as JsonSchema);
    this.dialect = dialect;
    this.root = (draft4 ? upgradeDraft4(root) : root) as JsonSchema;
    this.baseUri = typeof this.root === 'object' && typeof this.root.$id === 'string' ? this.root.$id : undefined;
    this.indexAnchors(this.root);
  }

  /** Makes `doc` reachable from `$ref`s under `name` (and under `name` resolved against `$id`). */
  addReference(name: string, doc: JsonSchemaDocument): void {
    this.external.set(name, doc);
    const absolute = this.absolute(name);
    if (absolute) this.external.set(absolute, doc);
    if (doc.baseUri) this.external.set(doc.baseUri, doc);
  }

  /** Documents this one can reach, including itself, transitively. */
  reachable(seen = new Set<JsonSchemaDocument>()): Set<JsonSchemaDocument> {
    if (seen.has(this)) return seen;
    seen.add(this);
    for (const d of this.external.values()) d.reachable(seen);
    return seen;
  }

  /** The document a `$ref`'s URI part names, or undefined when unknown. */
  documentFor(base: string): JsonSchemaDocument | undefined {
    if (base === '' || base === this.baseUri) return this;
    return this.external.get(base) ?? this.external.get(this.absolute(base) ?? '');
  }

  /**
   * Resolves `ref` from this document.
   * @throws SchemaParseError when the target does not exist
   */
  resolve(ref: string): SchemaNode {
    const hash = ref.indexOf('#');
    const base = hash < 0 ? ref : ref.slice(0, hash);
    const fragment = hash < 0 ? '' : ref.slice(hash + 1);
    const doc = this.documentFor(base);
    if (!doc) throw new SchemaParseError(`Unresolvable $ref "${ref}": no referenced schema named "${base}"`, ref);
    const schema = doc.fragment(fragment);
    if (schema === undefined) throw new SchemaParseError(`Unresolvable $ref "${ref}"`, ref);
    return { schema, doc };
  }

  private fragment(fragment: string): JsonSchema | undefined {
    if (fragment === '') return this.root;
    if (!fragment.startsWith('/')) return this.anchors.get(fragment);
    let cur: unknown = this.root;
    for (const token of fragment.slice(1).split('/').map(decodePointerToken)) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[token];
    }
    return typeof cur === 'boolean' || (cur !== null && typeof cur === 'object' && !Array.isArray(cur))
      ? (cur as JsonSchema)
      : undefined;
  }

  private absolute(name: string): string | undefined {
    if (!this.baseUri) return undefined;
    try {
      return new URL(name, this.baseUri).toString();
    } catch {
      return undefined;
    }
  }

  private indexAnchors(node: unknown): void {
    if (Array.isArray(node)) {
      node.forEach((n) => this.indexAnchors(n));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const obj = node as JsonSchemaObject;
    if (typeof obj.$id === 'string' && obj.$id.startsWith('#')) this.anchors.set(obj.$id.slice(1), obj);
    if (typeof obj.$anchor === 'string') this.anchors.set(obj.$anchor, obj);
    if (typeof obj.$dynamicAnchor === 'string') this.anchors.set(obj.$dynamicAnchor, obj);
    for (const [k, v] of Object.entries(obj)) {
      if (k !== 'enum' && k !== 'const' && k !== 'default' && k !== 'examples') this.indexAnchors(v);
    }
  }
}
