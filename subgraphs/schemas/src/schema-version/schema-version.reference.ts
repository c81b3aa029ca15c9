import type { SchemasContext } from '../context';
import { SubjectEntity } from '../subject/subject.entity';
import { SchemaVersion } from './schema-version.entity';

const canRead = (ctx: SchemasContext) => ctx.viewer?.permissions.includes('schemas:read') ?? false;

/** `_entities` lookup of a SchemaVersion: only within the viewer's organization and with `schemas:read`. */
export async function resolveSchemaVersionReference(ref: { id: string }, ctx: SchemasContext): Promise<SchemaVersion | null> {
  if (!canRead(ctx) || !/^\d+$/.test(String(ref.id))) return null;
  return ctx.em.findOne(SchemaVersion, { id: String(ref.id), organizationId: ctx.viewer!.organizationId });
}

/** `_entities` lookup of a Subject, scoped the same way. */
export async function resolveSubjectReference(ref: { id: string }, ctx: SchemasContext): Promise<SubjectEntity | null> {
  if (!canRead(ctx)) return null;
  return ctx.em.findOne(SubjectEntity, { id: ref.id, organizationId: ctx.viewer!.organizationId });
}
