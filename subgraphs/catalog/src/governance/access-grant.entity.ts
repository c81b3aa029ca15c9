import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property, Unique } from '@mikro-orm/core';
import { Directive, Field, ID, ObjectType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import { UserRef } from '../federation/references.type';
import { AccessLevel } from '../dataset/dataset.enums';
import { GrantSubjectType } from './governance.enums';

/** A user or a role may READ, WRITE or OWN one dataset. */
@Entity({ tableName: 'access_grant' })
@Unique({ properties: ['datasetId', 'subjectType', 'subjectId'] })
@Index({ properties: ['organizationId', 'subjectType', 'subjectId'] })
@Directive('@key(fields: "id")')
@ObjectType()
export class AccessGrant extends OrganizationEntity {
  @Property({ type: 'string', length: 36 })
  @Field(() => ID)
  datasetId!: string;

  @Property({ type: 'string', length: 8 })
  @Field(() => GrantSubjectType)
  subjectType!: GrantSubjectType;

  @Property({ type: 'string', length: 128 })
  @Field(() => String, { description: 'A user id, or a role name.' })
  subjectId!: string;

  @Property({ type: 'string', length: 8 })
  @Field(() => AccessLevel)
  level!: AccessLevel;

  @Property({ type: 'string', length: 128 })
  grantedById!: string;

  @Field(() => Date)
  override createdAt!: Opt<Date>;

  @Field(() => UserRef)
  grantedBy(): UserRef {
    return { id: this.grantedById };
  }
}
