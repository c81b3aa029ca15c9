/** One trusted external OIDC issuer, from configuration. */
export interface ExternalProviderSettings {
  /** Short name: appears in session methods (`oidc:<name>`) and role-assignment sources. */
  name: string;
  /** Exact `iss` value of its tokens. */
  issuer: string;
  jwksUrl: string;
  /** Expected `aud` (our client id at the provider). */
  audience: string;
  /** Slug of the organization its users join. */
  organizationSlug: string;
  /** Signature algorithms accepted; default RS256, ES256, EdDSA. */
  algorithms?: string[];
  /** Claim holding the email; default `email`. */
  emailClaim?: string;
  /** Claim holding the display name; default `name`. */
  nameClaim?: string;
  /** Claim holding group or role names (string or string[]); default `groups`. */
  roleClaim?: string;
  /** Claim value → local role names. */
  roleMapping: Record<string, string[]>;
  /** Roles every user of this provider gets; default none. */
  defaultRoles?: string[];
  /**
   * Link a first-seen subject to an existing local user with the same email, when the token says
   * `email_verified: true`. Off by default: a provider that lets users pick any email could
   * otherwise take over local accounts.
   */
  linkByEmail?: boolean;
}
