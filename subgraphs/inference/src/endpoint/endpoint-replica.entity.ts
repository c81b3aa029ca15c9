import { Entity, Property, Unique } from '@mikro-orm/core';
import { PlatformEntity } from '../../../../lib/src/kit/base.entity';

/** One model version's session state on one replica, as stored for the others to read. */
export interface StoredVersionState {
  key: string;
  role: string;
  state: string;
  reason?: string | null;
  provider?: string | null;
}

/**
 * What one replica of the inference service last reported about one endpoint: its own status (from
 * the sessions it loaded) and a heartbeat. Every replica writes its rows as its sessions change and
 * refreshes them periodically; an endpoint's `status` is the aggregate over the replicas whose
 * heartbeat is recent, so it does not depend on which replica answers.
 */
@Entity({ tableName: 'endpoint_replica_states' })
@Unique({ properties: ['endpointId', 'replica'] })
export class EndpointReplicaState extends PlatformEntity {
  @Property({ type: 'string', length: 36 })
  endpointId!: string;

  /** The replica's name (its hostname and process, unique per process). */
  @Property({ type: 'string' })
  replica!: string;

  /** The endpoint's status on that replica (EndpointStatus). */
  @Property({ type: 'string' })
  status!: string;

  @Property({ type: 'text', nullable: true })
  reason?: string | null;

  @Property({ type: 'json' })
  versions: StoredVersionState[] = [];

  @Property({ type: 'datetime' })
  heartbeatAt!: Date;
}
