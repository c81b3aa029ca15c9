import type { Actor } from '../shared/actor.types';
import type { OrganizationCreationPolicy } from '../shared/identity.settings';
import { PermissionDeniedError } from '../shared/identity.errors';

/**
 * Founding a tenant is a platform decision, not a member's: by default (`admins`) only a user who
 * holds `org:manage` in the organization of their token (the first run's owner, admins they make)
 * may create organizations; `anyone` opens it to every signed-in user, `nobody` closes it.
 */
export function assertMayCreateOrganization(policy: OrganizationCreationPolicy, actor: Actor): void {
  if (policy === 'anyone') return;
  if (policy === 'nobody') throw new PermissionDeniedError('Creating organizations is turned off on this platform');
  if (!actor.permissions.includes('org:manage'))
    throw new PermissionDeniedError('Creating organizations needs the org:manage permission');
}
