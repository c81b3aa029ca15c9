/** Who is calling, as every service sees it after verifying the access token. */
export interface Viewer {
  /** User id (or `service:<name>` for a service token). */
  id: string;
  organizationId: string;
  roles: string[];
  permissions: string[];
  kind: 'user' | 'api_key' | 'service';
  sessionId?: string;
  /** The verified raw access token, to forward to other services during this request. */
  token: string;
  expiresAt: number;
}

/** @returns true when the viewer holds the permission */
export function viewerCan(viewer: Viewer | null | undefined, permission: string): boolean {
  return !!viewer && viewer.permissions.includes(permission);
}
