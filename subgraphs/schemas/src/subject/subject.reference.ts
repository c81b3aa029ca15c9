import { organizationScopedReference } from '../../../../lib/contracts/references';
import { requestScope } from '../../../../lib/src/kit/request-scope';
import type { SchemasContext } from '../context';

/** `_entities` lookup of a Subject (lib/contracts policy): only within the viewer's organization and with `schemas:read`; null otherwise. */
export const resolveSubjectReference = organizationScopedReference(
  { permission: 'schemas:read' },
  async (ctx: SchemasContext, id) => ctx.services.registry.subjectReference(requestScope(ctx), id),
);
