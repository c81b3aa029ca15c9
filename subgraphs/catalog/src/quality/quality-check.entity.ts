import type { Opt } from '@mikro-orm/core';
import { Entity, Index, Property } from '@mikro-orm/core';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { QualityRuleResult } from './quality-rule.types';

@ObjectType()
export class QualityResult {
  @Field(() => ID, { nullable: true }) ruleId!: string | null;
  @Field(() => String) type!: string;
  @Field(() => String, { nullable: true }) column!: string | null;
  @Field(() => String, { description: 'SUCCESS, FAILED or ABORTED.' }) status!: string;
  @Field(() => String) message!: string;
  @Field(() => String, { nullable: true }) observedValue!: string | null;
  @Field(() => Int) passedRows!: number;
  @Field(() => Int) failedRows!: number;
  @Field(() => [String]) sampleFailures!: string[];
}

/** One run of a dataset's quality rules over one content version. */
@Entity({ tableName: 'quality_check' })
@Index({ properties: ['datasetId', 'createdAt'] })
@Directive('@key(fields: "id")')
@ObjectType()
export class QualityCheck extends OrganizationEntity {
  @Property({ type: 'string', length: 36 })
  @Field(() => ID)
  datasetId!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  version!: number;

  @Property({ type: 'string', length: 16 })
  @Field(() => String, { description: 'MANUAL or NEW_VERSION.' })
  trigger!: string;

  @Property({ type: 'integer' })
  @Field(() => Int)
  rowCount!: number;

  @Property({ type: 'double', nullable: true })
  @Field(() => Float, { nullable: true })
  score?: number | null;

  @Property({ type: 'json' })
  results!: QualityRuleResult[];

  /** When the rules ran (column `ran_at`, the table's name for it since before the base entity). */
  @Property({ type: 'datetime', fieldName: 'ran_at' })
  @Field(() => Date, { name: 'ranAt' })
  override createdAt: Opt<Date> = new Date();

  @Field(() => [QualityResult], { name: 'results' })
  resultList(): QualityResult[] {
    return this.results.map((r) => ({ ...r, ruleId: r.ruleId ?? null }));
  }
}
