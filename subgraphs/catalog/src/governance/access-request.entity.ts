import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { UserRef } from '../federation/references.type';
import { AccessLevel } from '../dataset/dataset.enums';
import { AccessRequestStatus } from './governance.enums';

/** A user asks a dataset's owners for access; an owner approves (creating a grant) or denies. */
@Entity({ tableName: 'access_request' })
@Index({ properties: ['datasetId', 'status'] })
@ObjectType()
export class AccessRequest extends OrganizationEntity {
  [OptionalProps]?: 'status';

  @Property({ type: 'string', length: 36 })
  @Field(() => ID)
  datasetId!: string;

  @Property({ type: 'string', length: 128 })
  requesterId!: string;

  @Property({ type: 'string', length: 8 })
  @Field(() => AccessLevel)
  level!: AccessLevel;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Property({ type: 'string', length: 10 })
  @Field(() => AccessRequestStatus)
  status: AccessRequestStatus = AccessRequestStatus.PENDING;

  @Property({ type: 'string', length: 128, nullable: true })
  decidedById?: string | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  decisionNote?: string | null;

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true })
  decidedAt?: Date | null;

  @Field(() => Date)
  override createdAt!: Opt<Date>;

  @Field(() => UserRef)
  requester(): UserRef {
    return { id: this.requesterId };
  }

  @Field(() => UserRef, { nullable: true })
  decidedBy(): UserRef | null {
    return this.decidedById ? { id: this.decidedById } : null;
  }
}
