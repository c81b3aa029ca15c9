import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Organization } from '../organization/organization.entity';

/**
 * A named set of permissions in one organization. Built-in roles are created with every organization;
 * their permissions come from code (BUILT_IN_ROLES) so an upgrade changes them everywhere at once.
 */
@Entity({ tableName: 'roles' })
@Unique({ properties: ['organization', 'name'] })
export class Role {
  [OptionalProps]?: 'id' | 'createdAt' | 'builtIn' | 'description';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @ManyToOne({ entity: () => Organization })
  organization!: Organization;

  @Property({ type: 'string', length: 63 })
  name!: string;

  @Property({ type: 'string', length: 500 })
  description: string = '';

  @Property({ type: 'json' })
  permissions!: string[];

  @Property({ type: 'boolean' })
  builtIn: boolean = false;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
