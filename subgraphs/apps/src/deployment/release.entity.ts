import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { OrganizationEntity } from '../../../../lib/src/kit/base.entity';
import type { ScalingPolicySpec } from '../autoscaler/autoscaler.engine';
import type { ResourceSpec } from '../kubernetes/release-spec.model';
import type { StoredEndpoint } from './deployment.model';

/** One release of a deployment: endpoints with weights, config version, resources and scaling, kept for rollback. */
@Entity({ tableName: 'releases' })
@Unique({ properties: ['deploymentId', 'revision'] })
export class Release extends OrganizationEntity {
  [OptionalProps]?: 'configVersionId' | 'rolledBackFrom';

  // The table's own key and organization columns (varchar(255), indexed) since before the base entity.
  @PrimaryKey({ type: 'string' })
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', index: true })
  override organizationId!: string;

  @Property({ type: 'string', index: true })
  deploymentId!: string;

  @Property({ type: 'integer' })
  revision!: number;

  @Property({ type: 'json' })
  endpoints!: StoredEndpoint[];

  @Property({ type: 'string', nullable: true })
  configVersionId?: string | null;

  @Property({ type: 'json' })
  resources!: ResourceSpec;

  @Property({ type: 'json', nullable: true })
  scaling!: ScalingPolicySpec | null;

  @Property({ type: 'integer' })
  replicas!: number;

  /** Set when this release restores an earlier one. */
  @Property({ type: 'integer', nullable: true })
  rolledBackFrom?: number | null;

  @Property({ type: 'string' })
  createdById!: string;
}
