import type { EntityManager } from '@mikro-orm/core';
import { Organization } from '../organization/organization.entity';
import type { OrganizationService } from '../organization/organization.service';
import type { UserService } from '../user/user.service';
import type { SigningKeyRing } from '../signing-key/signing-key.ring';
import { randomToken } from '../shared/secret.util';

export interface FirstRunSettings {
  adminEmail?: string | null;
  adminPassword?: string | null;
}

/** What first run created; `generatedPassword` is set only when none was configured (print it once). */
export interface FirstRunResult {
  organization: Organization;
  adminEmail: string;
  generatedPassword: string | null;
}

export const DEFAULT_ADMIN_EMAIL = 'admin@aic.local';

/**
 * Makes sure a signing key exists and, when the database has no organization yet, creates the
 * `default` organization with an owner. Returns null on every later boot.
 */
export async function runFirstRun(
  em: EntityManager,
  services: { organizations: OrganizationService; users: UserService; keys: SigningKeyRing },
  settings: FirstRunSettings,
): Promise<FirstRunResult | null> {
  await services.keys.ensureActiveKey(em);
  if ((await em.count(Organization, {})) > 0) return null;
  const generatedPassword = settings.adminPassword ? null : randomToken(18);
  const adminEmail = settings.adminEmail ?? DEFAULT_ADMIN_EMAIL;
  const admin = await services.users.createDetached({
    email: adminEmail,
    name: 'Administrator',
    password: settings.adminPassword ?? generatedPassword,
  });
  const organization = await services.organizations.create({ slug: 'default', name: 'Default organization' }, admin);
  return { organization, adminEmail: admin.email, generatedPassword };
}
