/**
 * Who is acting: the same shape as lib's Viewer (id, organizationId, roles, permissions, kind,
 * sessionId), so a verified viewer can be passed straight to the services.
 */
export interface Actor {
  id: string;
  organizationId: string;
  roles: readonly string[];
  permissions: readonly string[];
  kind: 'user' | 'api_key' | 'service';
  sessionId?: string;
  apiKeyId?: string;
}

/** Where a request came from; recorded on sessions and audit events. */
export interface RequestMeta {
  ipAddress?: string | null;
  userAgent?: string | null;
}

/** Source of the current time; tests pass their own to move through lockout windows. */
export type Clock = () => Date;
