import type { SchemasContext } from '../context';
import { SubjectEntity } from '../subject/subject.entity';
import { SchemaVersion } from './schema-version.entity';
import { organizationScopedReference } from '../../../../lib/contracts/references';

/** `_entities` lookup of a SchemaVersion: only within the viewer's organization and with `schemas:read`. */
export const resolveSchemaVersionReference = organizationScopedReference(
  { permission: 'schemas:read', validId: (id) => /^\d+$/.test(id) },
  (ctx: SchemasContext, id, organizationId): Promise<SchemaVersion | null> => ctx.em.findOne(SchemaVersion, { id, organizationId }),
);

/** `_entities` lookup of a Subject, scoped the same way. */
export const resolveSubjectReference = organizationScopedReference(
  { permission: 'schemas:read' },
  (ctx: SchemasContext, id, organizationId): Promise<SubjectEntity | null> => ctx.em.findOne(SubjectEntity, { id, organizationId }),
);
