import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { Organization } from '../organization/organization.entity';
import { User } from '../user/user.entity';

/**
 * A machine credential acting as `user` in its organization with at most `roles`. Only the sha256
 * of the secret is kept; `prefix` finds the row without revealing the secret.
 */
@Entity({ tableName: 'api_keys' })
export class ApiKey extends OrganizationEntity {
  [OptionalProps]?: 'lastUsedAt' | 'revokedAt' | 'expiresAt' | 'createdById';

  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  @ManyToOne({ entity: () => Organization, mapToPk: true, fieldName: 'organization_id' })
  override organizationId!: string;

  @ManyToOne({ entity: () => User })
  user!: User;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 32, unique: true })
  prefix!: string;

  @Property({ type: 'string', length: 64, hidden: true })
  secretHash!: string;

  @Property({ type: 'json' })
  roles!: string[];

  @Property({ type: 'string', length: 100, nullable: true })
  createdById?: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  expiresAt?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt?: Date | null = null;
}
