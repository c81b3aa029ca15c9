import { randomUUID } from 'node:crypto';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { User } from './user.entity';

/** Links a subject of an external OIDC issuer to the local user it maps onto. */
@Entity({ tableName: 'external_identities' })
@Unique({ properties: ['issuer', 'subject'] })
export class ExternalIdentity {
  [OptionalProps]?: 'id' | 'createdAt' | 'lastSeenAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 500 })
  issuer!: string;

  @Property({ type: 'string', length: 255 })
  subject!: string;

  @ManyToOne({ entity: () => User })
  user!: User;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime' })
  lastSeenAt: Date = new Date();
}
