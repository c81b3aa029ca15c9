// The one policy of federation entity lookups (`_entities` → `__resolveReference`): another subgraph
// holds only an id, so a lookup answers an entity only to a viewer of the organization that owns it
// who may read it here, and null otherwise (never an error, which would tell the id exists).
import type { Viewer } from '../src/auth/viewer';
import { viewerCan } from '../src/auth/viewer';

export interface ReferencePolicy {
  /** The permission that reads the entity in its own subgraph (e.g. `models:read`). */
  permission: string;
  /** Ids of this shape only (e.g. numeric ids); any other id answers null without a lookup. */
  validId?: (id: string) => boolean;
}

/**
 * A reference resolver under the organization-scoped policy: null without a viewer, without
 * `policy.permission` or for a malformed id; otherwise `find(ctx, id, viewer.organizationId)`, which
 * must look the entity up within that organization only.
 */
export function organizationScopedReference<TContext extends { viewer?: Viewer | null }, T>(
  policy: ReferencePolicy,
  find: (ctx: TContext, id: string, organizationId: string) => Promise<T | null>,
): (ref: { id: string }, ctx: TContext) => Promise<T | null> {
  return async (ref, ctx) => {
    const viewer = ctx.viewer;
    if (!viewer || !viewerCan(viewer, policy.permission)) return null;
    const id = String(ref.id);
    if (policy.validId && !policy.validId(id)) return null;
    return find(ctx, id, viewer.organizationId);
  };
}
