import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property } from '@mikro-orm/core';
import { Field, Float, ObjectType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { QualityRuleType } from './quality-rule.types';

@Entity({ tableName: 'quality_rule' })
@Index({ properties: ['datasetId'] })
@ObjectType()
export class QualityRule extends OrganizationEntity {
  @Property({ type: 'string', length: 36 })
  datasetId!: string;

  @Property({ type: 'string', length: 40 })
  @Field(() => String, { description: 'An OpenMetadata test definition name, e.g. columnValuesToBeNotNull.' })
  type!: QualityRuleType;

  @Property({ type: 'string', length: 512, nullable: true })
  @Field(() => String, { nullable: true })
  column?: string | null;

  @Property({ type: 'double', nullable: true })
  @Field(() => Float, { nullable: true })
  minValue?: number | null;

  @Property({ type: 'double', nullable: true })
  @Field(() => Float, { nullable: true })
  maxValue?: number | null;

  @Property({ type: 'text', nullable: true })
  @Field(() => String, { nullable: true })
  regex?: string | null;

  @Property({ type: 'double', nullable: true })
  @Field(() => Float, { nullable: true })
  maxAgeSeconds?: number | null;

  @Field(() => Date)
  override createdAt!: Opt<Date>;
}
