import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { Organization } from '../organization/organization.entity';

/**
 * A named set of permissions in one organization. Built-in roles are created with every organization;
 * their permissions come from code (BUILT_IN_ROLES) so an upgrade changes them everywhere at once.
 */
@Entity({ tableName: 'roles' })
@Unique({ properties: ['organizationId', 'name'] })
export class Role extends OrganizationEntity {
  [OptionalProps]?: 'builtIn' | 'description';

  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  @ManyToOne({ entity: () => Organization, mapToPk: true, fieldName: 'organization_id' })
  override organizationId!: string;

  @Property({ type: 'string', length: 63 })
  name!: string;

  @Property({ type: 'string', length: 500 })
  description: string = '';

  @Property({ type: 'json' })
  permissions!: string[];

  @Property({ type: 'boolean' })
  builtIn: boolean = false;
}
