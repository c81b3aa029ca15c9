import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, ManyToOne, PrimaryKey, Unique } from '@mikro-orm/core';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { User } from '../user/user.entity';
import { Organization } from './organization.entity';

/** A user's place in one organization; roles hang off it through role assignments. */
@Entity({ tableName: 'memberships' })
@Unique({ properties: ['user', 'organizationId'] })
export class Membership extends OrganizationEntity {
  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  // The column has always been a foreign key to organizations: the id, mapped to that relation.
  @ManyToOne({ entity: () => Organization, mapToPk: true, fieldName: 'organization_id' })
  override organizationId!: string;

  @ManyToOne({ entity: () => User })
  user!: User;
}
