import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Organization } from '../organization/organization.entity';
import { User } from '../user/user.entity';

/**
 * One sign-in: the family of refresh tokens it produced. Revoking the session revokes the family;
 * `expiresAt` bounds the family's life however often it is refreshed.
 */
@Entity({ tableName: 'sessions' })
export class Session {
  [OptionalProps]?: 'id' | 'createdAt' | 'lastUsedAt' | 'revokedAt' | 'revokedReason' | 'userAgent' | 'ipAddress' | 'method';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => User })
  user!: User;

  @ManyToOne({ entity: () => Organization })
  organization!: Organization;

  /** How the session began: `password`, or `oidc:<provider>`. */
  @Property({ type: 'string', length: 100 })
  method: string = 'password';

  @Property({ type: 'string', length: 500, nullable: true })
  userAgent?: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  ipAddress?: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

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
