import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { Organization } from '../organization/organization.entity';
import { User } from '../user/user.entity';

/**
 * One sign-in: the family of refresh tokens it produced. Revoking the session revokes the family;
 * `expiresAt` bounds the family's life however often it is refreshed.
 */
@Entity({ tableName: 'sessions' })
export class Session extends OrganizationEntity {
  [OptionalProps]?: 'lastUsedAt' | 'revokedAt' | 'revokedReason' | 'userAgent' | 'ipAddress' | 'method';

  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  @ManyToOne({ entity: () => User })
  user!: User;

  @ManyToOne({ entity: () => Organization, mapToPk: true, fieldName: 'organization_id' })
  override organizationId!: string;

  /** How the session began: `password`, or `oidc:<provider>`. */
  @Property({ type: 'string', length: 100 })
  method: string = 'password';

  @Property({ type: 'string', length: 500, nullable: true })
  userAgent?: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  ipAddress?: string | null = null;

  @Property({ type: 'datetime' })
  lastUsedAt: Date = new Date();

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null = null;

  /** `logout`, `revoked`, `reuse-detected`, `membership-removed`, `password-changed`. */
  @Property({ type: 'string', length: 50, nullable: true })
  revokedReason?: string | null = null;
}
