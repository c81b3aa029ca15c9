import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { SchemasContext } from '../context';
import type { SubjectEntity } from './subject.entity';

/** `_entities` lookup of a Subject: only within the viewer's organization and with `schemas:read`; null otherwise. */
export function resolveSubjectReference(ref: { id: string }, ctx: SchemasContext): Promise<SubjectEntity | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.registry.subjectReference(scope, ref.id);
}
