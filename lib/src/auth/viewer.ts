/** Who is calling, as every service sees it after verifying the access token. */
export interface Viewer {
  /** User id (or `service:<name>` for a service token). */
  id: string;
  organizationId: string;
  roles: string[];
  permissions: string[];
  kind: 'user' | 'api_key' | 'service';
  /** The session (`sid` claim) of a signed-in user's token; revoking it refuses the token everywhere. */
  sessionId?: string;
  /** The API key (`akid` claim) an `api_key` token was exchanged for; revoking the key refuses it everywhere. */
  apiKeyId?: string;
  /** The service acting for the user (`act.sub` of a delegated token: a job the user started), if any. */
  actor?: string;
  /** When the token was issued (`iat`, ms): a grant changed later refuses it. */
  issuedAt: number;
  /** The verified raw access token, to forward to other services during this request. */
  token: string;
  expiresAt: number;
}

/** @returns true when the viewer holds the permission */
export function viewerCan(viewer: Viewer | null | undefined, permission: string): boolean {
  return !!viewer && viewer.permissions.includes(permission);
}
