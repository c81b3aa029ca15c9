import { optionalRequestScope } from '../../../../lib/src/kit/request-scope';
import type { SchemasContext } from '../context';
import type { SchemaVersion } from './schema-version.entity';

/** `_entities` lookup of a SchemaVersion: only within the viewer's organization and with `schemas:read`; null otherwise. */
export function resolveSchemaVersionReference(ref: { id: string }, ctx: SchemasContext): Promise<SchemaVersion | null> | null {
  const scope = optionalRequestScope(ctx);
  return scope && ctx.services.registry.versionReference(scope, String(ref.id));
}
