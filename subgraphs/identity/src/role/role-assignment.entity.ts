import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { PlatformEntity } from '../../../../lib/src/kit/base.entity';
import { Membership } from '../organization/membership.entity';
import { Role } from './role.entity';

/**
 * A role held through a membership (whose organization it belongs to). `source` is `manual` for
 * grants made through the API, or `oidc:<provider>` for roles an external provider's claims grant
 * (re-synced on every exchange).
 */
@Entity({ tableName: 'role_assignments' })
@Unique({ properties: ['membership', 'role'] })
export class RoleAssignment extends PlatformEntity {
  [OptionalProps]?: 'source' | 'assignedById';

  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  @ManyToOne({ entity: () => Membership, deleteRule: 'cascade' })
  membership!: Membership;

  @ManyToOne({ entity: () => Role, deleteRule: 'cascade' })
  role!: Role;

  @Property({ type: 'string', length: 100 })
  source: string = 'manual';

  @Property({ type: 'string', length: 100, nullable: true })
  assignedById?: string | null = null;
}
