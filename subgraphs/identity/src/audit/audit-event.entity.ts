import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { PlatformEntity } from '../../../../lib/src/kit/base.entity';

/**
 * A security event. Ids are plain strings, not relations, so the record outlives what it names.
 * `organizationId` is null only for events that belong to no tenant (a sign-in with an unknown email),
 * which is why it is not an OrganizationEntity.
 */
@Entity({ tableName: 'audit_events' })
@Index({ properties: ['organizationId', 'createdAt'] })
export class AuditEvent extends PlatformEntity {
  [OptionalProps]?: 'organizationId' | 'actorId' | 'actorKind' | 'targetType' | 'targetId' | 'ipAddress' | 'details';

  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', length: 64 })
  type!: string;

  @Property({ type: 'boolean' })
  success!: boolean;

  @Property({ type: 'string', length: 64, nullable: true })
  organizationId?: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  actorId?: string | null = null;

  /** `user`, `api_key`, `service` or `anonymous`. */
  @Property({ type: 'string', length: 20 })
  actorKind: string = 'anonymous';

  @Property({ type: 'string', length: 40, nullable: true })
  targetType?: string | null = null;

  @Property({ type: 'string', length: 100, nullable: true })
  targetId?: string | null = null;

  @Property({ type: 'string', length: 64, nullable: true })
  ipAddress?: string | null = null;

  @Property({ type: 'json' })
  details: Record<string, unknown> = {};
}
