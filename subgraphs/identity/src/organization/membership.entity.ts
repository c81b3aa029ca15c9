import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Organization } from './organization.entity';
import { User } from '../user/user.entity';

/** A user's place in one organization; roles hang off it through role assignments. */
@Entity({ tableName: 'memberships' })
@Unique({ properties: ['user', 'organization'] })
export class Membership {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => User })
  user!: User;

  @ManyToOne({ entity: () => Organization })
  organization!: Organization;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
