import avsc from 'avsc';
import { avroRabinFingerprint } from './avro-rabin';
import { schemaFingerprint } from './fingerprint';
import type { Incompatibility, ParsedSchema, RecordError, ResolvedReference, SchemaFormat } from './schema-types';
import { parseSchemaJson } from './schema-json';
import { SchemaParseError } from './schema-types';

/** A parsed Avro schema with the avsc type and the specification's Parsing Canonical Form. */
export interface ParsedAvroSchema extends ParsedSchema {
  type: 'AVRO';
  avroType: avsc.Type;
  /** Avro Parsing Canonical Form (what the Rabin fingerprint is computed over). */
  parsingCanonicalForm: string;
  /** CRC-64-AVRO of the Parsing Canonical Form, hex. */
  rabinFingerprint: string;
}

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

function namesOf(t: avsc.Type): string[] {
  const named = t as avsc.Type & { name?: string; aliases?: string[] };
  return [named.name, ...(named.aliases ?? [])].filter((n): n is string => typeof n === 'string');
}

/**
 * Reasons why `reader` cannot resolve `writer`, per field for records so that the messages say
 * which field breaks; avsc's resolver is the judge (it implements the specification's rules).
 */
function resolutionFailures(reader: avsc.Type, writer: avsc.Type, path: string, seen: Set<string>): Incompatibility[] {
  try {
    reader.createResolver(writer);
    return [];
  } catch (err) {
    const message = (err as Error).message;
    const key = `${reader.toString()}|${writer.toString()}`;
    if (seen.has(key)) return [{ path, message }];
    seen.add(key);
    if (reader.typeName !== 'record' || writer.typeName !== 'record') return [{ path, message }];
    const rr = reader as avsc.types.RecordType;
    const wr = writer as avsc.types.RecordType;
    if (!namesOf(rr).some((n) => n === wr.name) && !namesOf(wr).some((n) => n === rr.name)) {
      return [{ path, message: `record name changed from "${wr.name}" to "${rr.name}" without an alias` }];
    }
    const out: Incompatibility[] = [];
    for (const field of rr.fields) {
      const names = [field.name, ...field.aliases];
      const wf = wr.fields.find((f) => names.includes(f.name));
      const fpath = `${path}/fields/${escape(field.name)}`;
      if (!wf) {
        if (field.defaultValue() === undefined)
          out.push({
            path: fpath,
            message: `field "${field.name}" is missing from the writer and has no default in the reader`,
          });
        continue;
      }
      out.push(...resolutionFailures(field.type, wf.type, fpath, seen));
    }
    return out.length ? out : [{ path, message }];
  }
}

/**
 * Avro: compatibility is Avro schema resolution (`avsc` resolvers, the same rules as Confluent's
 * `AvroCompatibilityChecker`), identity is the schema normalized by avsc with docs, defaults and
 * custom attributes kept (a changed default is a new version), fingerprints include the Parsing
 * Canonical Form's CRC-64-AVRO.
 */
export class AvroFormat implements SchemaFormat<ParsedAvroSchema> {
  readonly type = 'AVRO' as const;

  parse(text: string, references: ResolvedReference[] = []): ParsedAvroSchema {
    const registry: Record<string, avsc.Type> = {};
    for (const ref of references)
      this.forSchema(
        parseSchemaJson(ref.schema, `Referenced schema "${ref.name}"`),
        registry,
        `Referenced schema "${ref.name}"`,
      );
    const avroType = this.forSchema(parseSchemaJson(text, 'The schema'), registry, 'The schema');
    const canonical = JSON.stringify(avroType.schema({ exportAttrs: true }));
    const parsingCanonicalForm = JSON.stringify(avroType.schema());
    return {
      type: 'AVRO',
      text,
      canonical,
      fingerprint: schemaFingerprint(canonical, references),
      references,
      avroType,
      parsingCanonicalForm,
      rabinFingerprint: avroRabinFingerprint(parsingCanonicalForm),
    };
  }

  readerIncompatibilities(reader: ParsedAvroSchema, writer: ParsedAvroSchema): Incompatibility[] {
    return resolutionFailures(reader.avroType, writer.avroType, '#', new Set());
  }

  /**
   * Accepts a record as a plain JSON value (unions unwrapped where unambiguous) or in Avro's JSON
   * encoding (unions wrapped as `{ "type": value }`, bytes as strings).
   */
  validate(schema: ParsedAvroSchema, data: unknown): RecordError[] {
    const errors: RecordError[] = [];
    const ok = schema.avroType.isValid(data, {
      errorHook: (path: string[], value: unknown, type: avsc.Type) => {
        errors.push({
          path: path.length ? `/${path.map(escape).join('/')}` : '',
          message: `${JSON.stringify(value) ?? 'undefined'} is not a valid ${type.toString()}`,
        });
      },
    });
    if (ok) return [];
    try {
      schema.avroType.fromString(JSON.stringify(data));
      return [];
    } catch {
      return errors.length ? errors : [{ path: '', message: `not a valid ${schema.avroType.toString()}` }];
    }
  }

  private forSchema(schema: unknown, registry: Record<string, avsc.Type>, what: string): avsc.Type {
    try {
      return avsc.Type.forSchema(schema as avsc.Schema, { registry });
    } catch (err) {
      throw new SchemaParseError(`${what} is not a valid Avro schema: ${(err as Error).message}`);
    }
  }
}
