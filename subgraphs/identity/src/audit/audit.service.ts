import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import type { Clock } from '../../../../lib/src/kit/clock';
import { AuditEvent } from './audit-event.entity';
import type { AuditEventType } from './audit-event.types';
import type { AuditRepository } from './audit.repository';
import type { Actor, ActorScope, RequestMeta } from '../shared/actor.types';
import { InvalidInputError } from '../shared/identity.errors';

/** What to record; actor and request come from the caller when there is one. */
export interface AuditRecord {
  type: AuditEventType;
  success: boolean;
  organizationId?: string | null;
  actor?: Pick<Actor, 'id' | 'kind'> | null;
  target?: { type: string; id: string } | null;
  meta?: RequestMeta;
  details?: Record<string, unknown>;
}

export interface AuditFilter {
  types?: string[];
  actorId?: string;
  targetId?: string;
  success?: boolean;
  since?: Date;
  until?: Date;
}

/** One page of events (the shape of the `SecurityEventConnection` GraphQL type). */
export interface AuditPage {
  nodes: AuditEvent[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

const MAX_PAGE = 200;

/** Told of every recorded event (the service counts them for Prometheus). */
export type SecurityEventObserver = (type: AuditEventType, success: boolean) => void;

/** Appends security events and pages through them, newest first. */
export class AuditService {
  constructor(
    private readonly events: AuditRepository,
    private readonly clock: Clock,
    private readonly observe?: SecurityEventObserver,
  ) {}

  /** Persists one event in `em`'s unit of work (flushed with the caller's changes). */
  record(em: EntityManager, entry: AuditRecord): AuditEvent {
    const event = em.create(AuditEvent, {
      type: entry.type,
      success: entry.success,
      organizationId: entry.organizationId ?? null,
      actorId: entry.actor?.id ?? null,
      actorKind: entry.actor?.kind ?? 'anonymous',
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      ipAddress: entry.meta?.ipAddress ?? null,
      details: entry.details ?? {},
      createdAt: this.clock(),
    });
    em.persist(event);
    this.observe?.(entry.type, entry.success);
    return event;
  }

  /** One page of the viewer's organization's events after `after` (an opaque cursor from a previous page). */
  async query({ em, viewer }: ActorScope, filter: AuditFilter, first = 50, after?: string | null): Promise<AuditPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
      throw new InvalidInputError('first', `first must be an integer between 1 and ${MAX_PAGE}`);
    }
    const and: FilterQuery<AuditEvent>[] = [{ organizationId: viewer.organizationId }];
    if (filter.types?.length) and.push({ type: { $in: filter.types } });
    if (filter.actorId) and.push({ actorId: filter.actorId });
    if (filter.targetId) and.push({ targetId: filter.targetId });
    if (filter.success !== undefined) and.push({ success: filter.success });
    if (filter.since) and.push({ createdAt: { $gte: filter.since } });
    if (filter.until) and.push({ createdAt: { $lt: filter.until } });
    if (after) {
      const cursor = decodeCursor(after);
      and.push({ $or: [{ createdAt: { $lt: cursor.at } }, { createdAt: cursor.at, id: { $lt: cursor.id } }] });
    }
    const rows = await this.events.newestFirst(em, and, first + 1);
    const nodes = rows.slice(0, first);
    const last = nodes.at(-1);
    return { nodes, pageInfo: { hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last) : null } };
  }
}

function encodeCursor(event: AuditEvent): string {
  return Buffer.from(`${event.createdAt.getTime()}:${event.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const sep = text.indexOf(':');
  const ms = Number(text.slice(0, sep));
  if (sep < 1 || !Number.isFinite(ms)) throw new InvalidInputError('after', 'after is not a cursor from this list');
  return { at: new Date(ms), id: text.slice(sep + 1) };
}
