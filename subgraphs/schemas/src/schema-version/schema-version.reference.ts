import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { SchemasContext } from '../context';

/** `_entities` lookup of a SchemaVersion (lib/contracts policy): only within the viewer's organization and with `schemas:read`; null otherwise. */
export const resolveSchemaVersionReference = organizationScopedReference(
  { permission: 'schemas:read', validId: (id) => /^\d+$/.test(id) },
  async (ctx: SchemasContext, id) => ctx.services.registry.versionReference(requestScope(ctx), id),
);
