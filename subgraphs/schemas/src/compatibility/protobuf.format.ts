import protobuf from 'protobufjs';
import { canonicalJson } from './canonical-json';
import { schemaFingerprint } from './fingerprint';
import type { Incompatibility, ParsedSchema, RecordError, ResolvedReference, SchemaFormat } from './schema-types';
import { SchemaParseError } from './schema-types';

/** A parsed `.proto` file: its resolved root and the message types it declares itself. */
export interface ParsedProtobufSchema extends ParsedSchema {
  type: 'PROTOBUF';
  root: protobuf.Root;
  /** Fully qualified names of the messages declared in the main file, in order (the first one is the record type). */
  messages: string[];
}

/** Scalars that share a wire encoding and convert into each other when read (protobuf language guide). */
const WIRE_GROUPS: string[][] = [
  ['int32', 'uint32', 'int64', 'uint64', 'bool'],
  ['sint32', 'sint64'],
  ['fixed32', 'sfixed32'],
  ['fixed64', 'sfixed64'],
  ['string', 'bytes'],
  ['float'],
  ['double'],
];

function scalarCompatible(a: string, b: string): boolean {
  return a === b || WIRE_GROUPS.some((g) => g.includes(a) && g.includes(b));
}

function messagesIn(ns: protobuf.NamespaceBase, out: protobuf.Type[] = []): protobuf.Type[] {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) out.push(nested);
    if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) messagesIn(nested, out);
  }
  return out;
}

/**
 * protobufjs' verifier wants enum numbers; JSON records carry enum names (proto3 JSON mapping).
 * Field names and enum names are the schema's and the record's own keys: a field named `constructor`
 * or `__proto__` is a field, and an enum's `values` inherit its numbers and Object's members.
 */
function enumsAsNumbers(type: protobuf.Type, data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const f of type.fieldsArray) {
    if (!Object.hasOwn(data, f.name)) continue;
    const v = data[f.name];
    if (v === undefined || v === null) continue;
    const convert = (x: unknown): unknown => {
      if (f.resolvedType instanceof protobuf.Enum && typeof x === 'string' && Object.hasOwn(f.resolvedType.values, x))
        return f.resolvedType.values[x];
      if (f.resolvedType instanceof protobuf.Type && x !== null && typeof x === 'object' && !Array.isArray(x))
        return enumsAsNumbers(f.resolvedType, x as Record<string, unknown>);
      return x;
    };
    const value =
      f.map && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, convert(x)]))
        : f.repeated && Array.isArray(v)
          ? v.map(convert)
          : convert(v);
    Object.defineProperty(out, f.name, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function kind(f: protobuf.Field): string {
  if (f.resolvedType instanceof protobuf.Type) return 'message';
  if (f.resolvedType instanceof protobuf.Enum) return 'enum';
  return 'scalar';
}

/**
 * Protocol Buffers (proto2/proto3 via protobufjs): compatibility follows the wire format, as
 * Confluent's checker does: a message the writer uses must still exist, a field number keeps a
 * wire-compatible type, kind, cardinality and named type, a required field cannot appear or vanish,
 * and a field cannot move into a oneof with other existing fields. Adding and removing optional
 * fields is compatible.
 */
export class ProtobufFormat implements SchemaFormat<ParsedProtobufSchema> {
  readonly type = 'PROTOBUF' as const;

  parse(text: string, references: ResolvedReference[] = []): ParsedProtobufSchema {
    const root = new protobuf.Root();
    try {
      for (const ref of references) protobuf.parse(ref.schema, root, { keepCase: true });
      const before = new Set(messagesIn(root).map((m) => m.fullName));
      protobuf.parse(text, root, { keepCase: true });
      root.resolveAll();
      const messages = messagesIn(root)
        .map((m) => m.fullName)
        .filter((n) => !before.has(n));
      if (!messages.length) throw new Error('the file declares no message');
      const canonical = canonicalJson(root.toJSON());
      return {
        type: 'PROTOBUF',
        text,
        canonical,
        fingerprint: schemaFingerprint(canonical, references),
        references,
        root,
        messages,
      };
    } catch (err) {
      throw new SchemaParseError(`The schema is not a valid .proto file: ${(err as Error).message}`);
    }
  }

  readerIncompatibilities(reader: ParsedProtobufSchema, writer: ParsedProtobufSchema): Incompatibility[] {
    const out: Incompatibility[] = [];
    for (const name of writer.messages) {
      const w = writer.root.lookupType(name);
      const r = reader.root.lookup(name);
      const path = `#/${name.replace(/^\./, '')}`;
      if (!(r instanceof protobuf.Type)) {
        out.push({ path, message: `message ${name.replace(/^\./, '')} was removed` });
        continue;
      }
      out.push(...this.compareMessages(r, w, path));
    }
    return out;
  }

  validate(schema: ParsedProtobufSchema, data: unknown): RecordError[] {
    const type = schema.root.lookupType(schema.messages[0]!);
    if (data === null || typeof data !== 'object' || Array.isArray(data))
      return [{ path: '', message: `must be an object (message ${type.name})` }];
    const problem = type.verify(enumsAsNumbers(type, data as Record<string, unknown>));
    if (!problem) return [];
    const colon = problem.indexOf(':');
    const field = colon > 0 ? problem.slice(0, colon) : '';
    return [
      {
        path: field ? `/${field.split('.').join('/')}` : '',
        message: colon > 0 ? problem.slice(colon + 1).trim() : problem,
      },
    ];
  }

  private compareMessages(r: protobuf.Type, w: protobuf.Type, path: string): Incompatibility[] {
    const out: Incompatibility[] = [];
    const rById = new Map(r.fieldsArray.map((f) => [f.id, f]));
    const wById = new Map(w.fieldsArray.map((f) => [f.id, f]));
    for (const [id, rf] of rById) {
      const fpath = `${path}/${rf.name}`;
      const wf = wById.get(id);
      if (!wf) {
        if (rf.required) out.push({ path: fpath, message: `required field ${rf.name} = ${id} was added` });
        continue;
      }
      if (kind(rf) !== kind(wf))
        out.push({ path: fpath, message: `field ${id} changed kind from ${kind(wf)} to ${kind(rf)}` });
      else if (kind(rf) === 'scalar' && !scalarCompatible(rf.type, wf.type))
        out.push({
          path: fpath,
          message: `field ${id} changed type from ${wf.type} to ${rf.type} (not wire-compatible)`,
        });
      else if (kind(rf) !== 'scalar' && rf.resolvedType?.fullName !== wf.resolvedType?.fullName) {
        out.push({
          path: fpath,
          message: `field ${id} changed type from ${wf.resolvedType?.fullName.slice(1)} to ${rf.resolvedType?.fullName.slice(1)}`,
        });
      }
      if (rf.repeated !== wf.repeated || rf.map !== wf.map)
        out.push({ path: fpath, message: `field ${id} changed cardinality` });
      if (wf.required && !rf.required) continue;
      if (rf.required && !wf.required) out.push({ path: fpath, message: `field ${id} became required` });
    }
    for (const oneof of r.oneofsArray) {
      const moved = oneof.fieldsArray.filter((f) => {
        const wf = wById.get(f.id);
        return wf && !wf.partOf;
      });
      if (moved.length > 1)
        out.push({
          path: `${path}/${oneof.name}`,
          message: `fields ${moved.map((f) => f.name).join(', ')} moved into oneof ${oneof.name}`,
        });
    }
    return out;
  }
}
