import type { EntityManager } from '@mikro-orm/core';
import type { ParsedSchema, ResolvedReference, SchemaFormat, SchemaType } from '../compatibility/schema-types';
import { SchemaParseError } from '../compatibility/schema-types';
import type { SchemaReference, SchemaVersion } from '../schema-version/schema-version.entity';
import type { SubjectRepository } from '../subject/subject.repository';
import { InvalidSchemaError } from './registry.errors';

const MAX_REFERENCE_DEPTH = 32;

/**
 * Parses schema texts with their references resolved (transitively, dependencies first) inside
 * one organization, and keeps the parsed form of stored versions in a bounded LRU. Built once per
 * process (the cache is shared by every request); the request's `em` comes with each call.
 */
export class SchemaParser {
  private readonly cache = new Map<string, ParsedSchema>();

  constructor(
    private readonly subjects: SubjectRepository,
    private readonly formats: Record<SchemaType, SchemaFormat>,
    private readonly cacheSize: number,
  ) {}

  /** The language implementation for `type`. */
  format(type: SchemaType): SchemaFormat {
    return this.formats[type];
  }

  /**
   * Parses a candidate schema.
   * @throws InvalidSchemaError when the text or a reference is invalid
   */
  async parse(
    em: EntityManager,
    organizationId: string,
    type: SchemaType,
    text: string,
    references: SchemaReference[],
  ): Promise<ParsedSchema> {
    const resolved = await this.resolve(em, organizationId, references, 0, new Map());
    try {
      return this.formats[type].parse(text, resolved);
    } catch (err) {
      if (err instanceof SchemaParseError) throw new InvalidSchemaError(err.message);
      throw err;
    }
  }

  /** The parsed form of a stored version (cached by id; versions are immutable). */
  async parsed(em: EntityManager, version: SchemaVersion): Promise<ParsedSchema> {
    const hit = this.cache.get(version.id);
    if (hit) {
      this.cache.delete(version.id);
      this.cache.set(version.id, hit);
      return hit;
    }
    const parsed = await this.parse(em, version.organizationId, version.type, version.schema, version.references);
    this.cache.set(version.id, parsed);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
    return parsed;
  }

  private async resolve(
    em: EntityManager,
    organizationId: string,
    refs: SchemaReference[],
    depth: number,
    out: Map<string, ResolvedReference>,
  ): Promise<ResolvedReference[]> {
    if (depth > MAX_REFERENCE_DEPTH)
      throw new InvalidSchemaError(`References nest deeper than ${MAX_REFERENCE_DEPTH} levels`);
    for (const ref of refs) {
      const key = `${ref.subject}\u0000${ref.version}`;
      if (out.has(key)) continue;
      const target = await this.subjects.findVersionOfSubject(em, organizationId, ref.subject, ref.version);
      if (!target)
        throw new InvalidSchemaError(
          `Reference "${ref.name}": version ${ref.version} of subject "${ref.subject}" does not exist`,
        );
      await this.resolve(em, organizationId, target.references, depth + 1, out);
      out.set(key, { name: ref.name, subject: ref.subject, version: ref.version, schema: target.schema });
    }
    return [...out.values()];
  }
}
