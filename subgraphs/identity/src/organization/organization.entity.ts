import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { PlatformEntity } from '../../../../lib/src/kit/base.entity';

/** A tenant: every user belongs to one or more, and no data crosses them. Its id is every other entity's `organizationId`. */
@Entity({ tableName: 'organizations' })
export class Organization extends PlatformEntity {
  // Identity's keys have been `uuid` columns (PostgreSQL's uuid type) since its first tables: kept.
  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', length: 63, unique: true })
  slug!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;
}
