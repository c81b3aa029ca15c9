import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';
import { TrackedOrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { ScalingDecision, ScalingPolicySpec } from '../autoscaler/autoscaler.engine';
import type { ScalingHistory } from '../autoscaler/scaling-behavior.model';
import type { HealthDiagnostic, HealthThresholds } from '../health/health.evaluator';
import type { ResourceSpec } from '../kubernetes/release-spec.model';
import { UserRef } from '../shared/refs.type';
import { DeploymentStatus, DriverKind, HealthState } from './deployment.model';
import type { StoredEndpoint } from './deployment.model';
import './deployment-enums.type';

/** One application running in one environment; its releases are its history. */
@Entity({ tableName: 'deployments' })
@Directive('@key(fields: "id")')
@ObjectType()
export class Deployment extends TrackedOrganizationEntity {
  [OptionalProps]?: 'configVersionId' | 'lastDecision' | 'checkedAt';

  // The table's own key and organization columns (varchar(255), indexed) since before the base entity.
  @PrimaryKey({ type: 'string' })
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', index: true })
  override organizationId!: string;

  @Property({ type: 'string', index: true })
  @Field(() => ID)
  applicationId!: string;

  @Property({ type: 'string' })
  @Field(() => String)
  environment!: string;

  @Property({ type: 'string' })
  @Field(() => DriverKind)
  driver!: DriverKind;

  @Property({ type: 'string' })
  @Field(() => DeploymentStatus)
  status!: DeploymentStatus;

  @Property({ type: 'string' })
  @Field(() => HealthState)
  health!: HealthState;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Number of the release now deployed' })
  revision!: number;

  @Property({ type: 'integer' })
  @Field(() => Int, { description: 'Replicas asked for (by hand, or by the autoscaler when a policy is on)' })
  replicas!: number;

  @Property({ type: 'json' })
  endpointsState!: StoredEndpoint[];

  @Property({ type: 'string', nullable: true })
  configVersionId?: string | null;

  @Property({ type: 'json' })
  resources!: ResourceSpec;

  @Property({ type: 'json', nullable: true })
  scaling!: ScalingPolicySpec | null;

  @Property({ type: 'json' })
  healthThresholds!: HealthThresholds;

  @Property({ type: 'json' })
  scalingHistory!: ScalingHistory;

  @Property({ type: 'json', nullable: true })
  lastDecision?: ScalingDecision | null;

  @Property({ type: 'json' })
  diagnosticsState!: HealthDiagnostic[];

  @Property({ type: 'datetime', nullable: true })
  @Field(() => Date, { nullable: true, description: 'Time of the last health check' })
  checkedAt?: Date | null;

  @Property({ type: 'string' })
  createdById!: string;

  @Field(() => Date)
  override createdAt!: Opt<Date>;

  @Field(() => Date)
  override updatedAt!: Opt<Date>;

  @Field(() => UserRef)
  createdBy(): UserRef {
    return { id: this.createdById };
  }
}
