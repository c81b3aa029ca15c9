import type { EntityManager } from '@mikro-orm/core';
import type { Organization } from '../organization/organization.entity';
import type { OrganizationRepository } from '../organization/organization.repository';
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

/** What every boot makes sure of before serving. */
export class FirstRunService {
  constructor(
    private readonly deps: {
      keys: SigningKeyRing;
      organizationRepository: OrganizationRepository;
      organizations: OrganizationService;
      users: UserService;
    },
  ) {}

  /**
   * Makes sure a signing key exists and, when the database has no organization yet, creates the
   * `default` organization with an owner. Returns null on every later boot.
   */
  async run(em: EntityManager, settings: FirstRunSettings): Promise<FirstRunResult | null> {
    await this.deps.keys.ensureActiveKey(em);
    if (await this.deps.organizationRepository.anyExists(em)) return null;
    const generatedPassword = settings.adminPassword ? null : randomToken(18);
    const adminEmail = settings.adminEmail ?? DEFAULT_ADMIN_EMAIL;
    const admin = await this.deps.users.createDetached(em, {
      email: adminEmail,
      name: 'Administrator',
      password: settings.adminPassword ?? generatedPassword,
    });
    const organization = await this.deps.organizations.create(
      em,
      { slug: 'default', name: 'Default organization' },
      admin,
    );
    return { organization, adminEmail: admin.email, generatedPassword };
  }
}
