import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import type { Logger } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import type { VersionReadinessInfo } from '../serving/serving.registry';
import { EndpointReplicaState, type StoredVersionState } from './endpoint-replica.entity';
import type { Endpoint } from './endpoint.entity';
import { EndpointStatus } from './endpoint.types';

/** One replica's view of an endpoint: its own status and its versions' session states. */
export interface ReplicaView {
  replica: string;
  /** True for the replica that answers (its state is read live, not from the table). */
  current: boolean;
  status: EndpointStatus;
  reason: string | null;
  versions: StoredVersionState[];
  heartbeatAt: Date;
}

/** The endpoint's status over the live replicas, with each replica's own. */
export interface AggregateStatus {
  status: EndpointStatus;
  reason: string | null;
  replicas: ReplicaView[];
}

export interface ReplicaStatesOptions {
  orm: MikroORM;
  /** This process's name (unique per process: the job queue's owner). */
  replica: string;
  /** A replica whose heartbeat is older than this is ignored (it died or was scaled away). */
  ttlMs: number;
  clock: Clock;
  logger: Logger;
}

/** The endpoint's state on one replica, as its sessions report it. */
export interface LocalEndpointState {
  status: EndpointStatus;
  reason: string | null;
  versions: VersionReadinessInfo[];
}

/** A replica's live view of an endpoint (the replica that answers). */
export function localView(replica: string, local: LocalEndpointState, at: Date): ReplicaView {
  return {
    replica,
    current: true,
    status: local.status,
    reason: local.reason,
    versions: storedVersions(local.versions),
    heartbeatAt: at,
  };
}

function storedVersions(versions: VersionReadinessInfo[]): StoredVersionState[] {
  return versions.map((v) => ({
    key: v.key,
    role: v.role,
    state: v.state,
    reason: v.reason ?? null,
    provider: v.provider ?? null,
  }));
}

const ORDER = [EndpointStatus.READY, EndpointStatus.LOADING, EndpointStatus.DEGRADED, EndpointStatus.FAILED];

/**
 * The endpoint's status over replicas: READY when any live replica is ready (a request there is
 * served); otherwise LOADING when any is still loading, DEGRADED when any is degraded, else FAILED.
 * The reason names the replicas that are not ready (only when there is more than one replica).
 */
export function aggregate(replicas: ReplicaView[]): { status: EndpointStatus; reason: string | null } {
  const status = ORDER.find((s) => replicas.some((r) => r.status === s)) ?? EndpointStatus.LOADING;
  if (status === EndpointStatus.READY) return { status, reason: null };
  const reasons = replicas.filter((r) => r.reason);
  if (replicas.length === 1) return { status, reason: replicas[0]!.reason };
  const distinct = [...new Set(reasons.map((r) => r.reason))];
  // The same reason on every replica (the model cannot load anywhere) is told once.
  if (distinct.length === 1 && reasons.length === replicas.length) return { status, reason: distinct[0]! };
  return { status, reason: reasons.map((r) => `${r.replica}: ${r.reason}`).join('; ') || null };
}

/**
 * Per-replica endpoint states in the service's database (`endpoint_replica_states`): each replica
 * writes its own row per endpoint when its status there changes and refreshes it within a third of
 * the TTL; any replica answers `status` from the live rows of the others and its own state, so the
 * answer does not depend on which replica a request reaches.
 */
export class ReplicaStates {
  private readonly written = new Map<string, { stamp: string; at: number }>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(private readonly opts: ReplicaStatesOptions) {}

  get replica(): string {
    return this.opts.replica;
  }

  /**
   * Reports this replica's state of every endpoint whose sessions it holds, every `everyMs`.
   * @param local the endpoint's status on this replica (undefined: none of its versions is loaded here)
   */
  start(
    endpoints: () => Promise<Endpoint[]>,
    local: (endpoint: Endpoint) => LocalEndpointState,
    everyMs: number,
  ): void {
    const tick = async () => {
      for (const endpoint of await endpoints()) {
        const view = local(endpoint);
        // Versions this replica never loaded: it has nothing to say about the endpoint.
        if (view.versions.every((v) => v.state === 'ABSENT')) continue;
        await this.report(endpoint.id, view);
      }
    };
    this.timer = setInterval(() => {
      if (this.ticking) return;
      this.ticking = tick()
        .catch((err) => this.opts.logger.warn({ err }, 'endpoint replica state not written'))
        .finally(() => (this.ticking = undefined));
    }, everyMs);
  }

  /** Writes this replica's row for an endpoint when its state changed or its heartbeat is due. */
  async report(endpointId: string, view: LocalEndpointState): Promise<void> {
    const versions = storedVersions(view.versions);
    const stamp = JSON.stringify([view.status, view.reason, versions]);
    const now = this.opts.clock().getTime();
    const last = this.written.get(endpointId);
    if (last && last.stamp === stamp && now - last.at < this.opts.ttlMs / 3) return;
    await this.opts.orm.em.fork().upsert(
      EndpointReplicaState,
      {
        id: randomUUID(),
        createdAt: new Date(now),
        endpointId,
        replica: this.opts.replica,
        status: view.status,
        reason: view.reason,
        versions,
        heartbeatAt: new Date(now),
      },
      { onConflictFields: ['endpointId', 'replica'], onConflictExcludeFields: ['id', 'createdAt'] },
    );
    this.written.set(endpointId, { stamp, at: now });
  }

  /** The endpoint over replicas: this one's live state and the others' rows whose heartbeat is within the TTL. */
  async of(endpointId: string, local: LocalEndpointState): Promise<AggregateStatus> {
    const since = new Date(this.opts.clock().getTime() - this.opts.ttlMs);
    const rows = await this.opts.orm.em
      .fork()
      .find(
        EndpointReplicaState,
        { endpointId, replica: { $ne: this.opts.replica }, heartbeatAt: { $gte: since } },
        { orderBy: { replica: 'asc' } },
      );
    const self = localView(this.opts.replica, local, this.opts.clock());
    const others: ReplicaView[] = rows.map((r) => ({
      replica: r.replica,
      current: false,
      status: r.status as EndpointStatus,
      reason: r.reason ?? null,
      versions: r.versions,
      heartbeatAt: r.heartbeatAt,
    }));
    // This replica counts unless it never loaded the endpoint while others did.
    const selfCounts = others.length === 0 || self.versions.some((v) => v.state !== 'ABSENT');
    const replicas = selfCounts ? [self, ...others] : others;
    return { ...aggregate(replicas), replicas: [self, ...others] };
  }

  /** Forgets an endpoint (deleted): every replica's rows. */
  async forget(endpointId: string): Promise<void> {
    this.written.delete(endpointId);
    await this.opts.orm.em.fork().nativeDelete(EndpointReplicaState, { endpointId });
  }

  /** Stops reporting and removes this replica's rows (it stops serving). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await this.opts.orm.em
      .fork()
      .nativeDelete(EndpointReplicaState, { replica: this.opts.replica })
      .catch((err) => this.opts.logger.warn({ err }, 'endpoint replica states not removed'));
  }
}
