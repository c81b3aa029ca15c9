import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { PlatformEntity } from '../../../../lib/src/kit/base.entity';
import { User } from './user.entity';

/** Links a subject of an external OIDC issuer to the local user it maps onto. */
@Entity({ tableName: 'external_identities' })
@Unique({ properties: ['issuer', 'subject'] })
export class ExternalIdentity extends PlatformEntity {
  [OptionalProps]?: 'lastSeenAt';

  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', length: 500 })
  issuer!: string;

  @Property({ type: 'string', length: 255 })
  subject!: string;

  @ManyToOne({ entity: () => User })
  user!: User;

  @Property({ type: 'datetime' })
  lastSeenAt: Date = new Date();
}
