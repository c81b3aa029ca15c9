import type { ValidateFunction } from 'ajv';
import { compileUserPattern, UnsafePatternError } from '../../../../lib/src/index';
import { canonicalJson } from './canonical-json';
import { schemaFingerprint } from './fingerprint';
import type AjvCore from 'ajv/dist/core';
import { absolutize, createAjv, DocumentValidators, documentUri, toRecordErrors } from './json-schema.ajv';
import { assertNoEndlessRefCycle } from './json-schema.cycles';
import type { Dialect } from './json-schema.document';
import { JsonSchemaDocument } from './json-schema.document';
import { JsonSchemaSubsetChecker } from './json-schema.subset';
import type { Incompatibility, ParsedSchema, RecordError, ResolvedReference, SchemaFormat } from './schema-types';
import { parseSchemaJson } from './schema-json';
import { SchemaParseError } from './schema-types';

/** A parsed JSON Schema: its JSON value and its references' JSON values. */
export interface ParsedJsonSchema extends ParsedSchema {
  type: 'JSON';
  json: unknown;
  referenced: { name: string; json: unknown }[];
}

/** Patterns run on RE2 (linear time): refused here, at registration, when they cannot. */
function checkRegExp(pattern: string, path: string): void {
  try {
    compileUserPattern(pattern);
  } catch (err) {
    if (!(err instanceof UnsafePatternError)) throw err;
    throw new SchemaParseError(`Invalid regular expression at ${path}: ${err.message}`, path);
  }
}

const MAX_SHARED_DOCUMENTS = 2000;

/** Builds the documents for one schema and its references, keyed by content (the fingerprint). */
function buildDocument(schema: ParsedJsonSchema): JsonSchemaDocument {
  const prefix = schema.fingerprint;
  const main = new JsonSchemaDocument(schema.json, `${prefix}/main.json`);
  const refs = schema.referenced.map((r, i) => ({
    name: r.name,
    doc: new JsonSchemaDocument(r.json, `${prefix}/ref-${i}.json`),
  }));
  for (const r of refs) {
    main.addReference(r.name, r.doc);
    for (const other of refs) if (other !== r) r.doc.addReference(other.name, other.doc);
  }
  return main;
}

/**
 * JSON Schema (draft-04 to draft-07, 2019-09, 2020-12): validation with Ajv, compatibility by
 * schema inclusion: a reader can read a writer when every document valid under the writer is valid
 * under the reader.
 */
export class JsonSchemaFormat implements SchemaFormat<ParsedJsonSchema> {
  readonly type = 'JSON' as const;
  private readonly compiled = new WeakMap<ParsedJsonSchema, ValidateFunction>();
  private validators = new DocumentValidators();
  private readonly meta = new Map<Dialect, AjvCore>();

  parse(text: string, references: ResolvedReference[] = []): ParsedJsonSchema {
    const json = parseSchemaJson(text, 'The schema');
    const referenced = references.map((r) => ({
      name: r.name,
      json: parseSchemaJson(r.schema, `Referenced schema "${r.name}"`),
    }));
    const canonical = canonicalJson(json);
    const parsed: ParsedJsonSchema = {
      type: 'JSON',
      text,
      canonical,
      fingerprint: schemaFingerprint(canonical, references),
      references,
      json,
      referenced,
    };
    const doc = buildDocument(parsed);
    for (const d of doc.reachable()) this.checkDocument(d);
    return parsed;
  }

  readerIncompatibilities(reader: ParsedJsonSchema, writer: ParsedJsonSchema): Incompatibility[] {
    const checker = new JsonSchemaSubsetChecker(this.sharedValidators());
    const r = buildDocument(reader);
    const w = buildDocument(writer);
    return checker.check({ schema: w.root, doc: w }, { schema: r.root, doc: r });
  }

  validate(schema: ParsedJsonSchema, data: unknown): RecordError[] {
    const validate = this.validator(schema);
    return validate(data) ? [] : toRecordErrors(validate.errors);
  }

  /** Meta-schema validation plus what Ajv only finds when compiling (dangling `$ref`s, bad regexes) and endless `$ref` cycles. */
  private checkDocument(doc: JsonSchemaDocument): void {
    const ajv = this.metaAjv(doc.dialect);
    if (!ajv.validateSchema(absolutize(doc.root, doc, documentUri(doc)) as object)) {
      throw new SchemaParseError(`Invalid JSON Schema: ${ajv.errorsText(ajv.errors, { dataVar: 'schema' })}`);
    }
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}/${i}`));
      if (node === null || typeof node !== 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') continue;
        if (k === '$ref' && typeof v === 'string') doc.resolve(v);
        else if (k === 'pattern' && typeof v === 'string') checkRegExp(v, `${path}/pattern`);
        else if (k === 'patternProperties' && v && typeof v === 'object')
          Object.keys(v).forEach((p) => checkRegExp(p, `${path}/patternProperties`));
        walk(v, `${path}/${k}`);
      }
    };
    walk(doc.root, '#');
    assertNoEndlessRefCycle(doc);
  }

  /** Validators shared across calls, dropped when they have registered many documents (bounded memory). */
  private sharedValidators(): DocumentValidators {
    if (this.validators.size > MAX_SHARED_DOCUMENTS) this.validators = new DocumentValidators();
    return this.validators;
  }

  private metaAjv(dialect: Dialect): AjvCore {
    let ajv = this.meta.get(dialect);
    if (!ajv) this.meta.set(dialect, (ajv = createAjv(dialect)));
    return ajv;
  }

  private validator(schema: ParsedJsonSchema): ValidateFunction {
    let v = this.compiled.get(schema);
    if (!v) {
      const doc = buildDocument(schema);
      v = this.sharedValidators().compile({ schema: doc.root, doc });
      this.compiled.set(schema, v);
    }
    return v;
  }
}
