import { Organization } from './organization/organization.entity';
import { Membership } from './organization/membership.entity';
import { User } from './user/user.entity';
import { ExternalIdentity } from './user/external-identity.entity';
import { Role } from './role/role.entity';
import { RoleAssignment } from './role/role-assignment.entity';
import { SigningKey } from './signing-key/signing-key.entity';
import { Session } from './session/session.entity';
import { RefreshToken } from './session/refresh-token.entity';
import { ApiKey } from './api-key/api-key.entity';
import { AuditEvent } from './audit/audit-event.entity';
import { RevocationRecord } from './revocation/revocation.entity';

/** Every entity identity persists (listed explicitly: no folder scanning). */
export const IDENTITY_ENTITIES = [
  Organization,
  Membership,
  User,
  ExternalIdentity,
  Role,
  RoleAssignment,
  SigningKey,
  Session,
  RefreshToken,
  ApiKey,
  AuditEvent,
  RevocationRecord,
];
