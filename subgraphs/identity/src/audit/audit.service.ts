import type { EntityManager, FilterQuery } from '@mikro-orm/core';
import { AuditEvent } from './audit-event.entity';
import type { AuditEventType } from './audit-event.types';
import type { Actor, Clock, RequestMeta } from '../shared/actor.types';
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

export interface AuditPage {
  events: AuditEvent[];
  endCursor: string | null;
  hasNextPage: boolean;
}

const MAX_PAGE = 200;

/** Told of every recorded event (the service counts them for Prometheus). */
export type SecurityEventObserver = (type: AuditEventType, success: boolean) => void;

/** Appends security events and pages through them, newest first. */
export class AuditService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly observe?: SecurityEventObserver,
  ) {}

  /** Persists one event in the current unit of work (flushed with the caller's changes). */
  record(entry: AuditRecord): AuditEvent {
    const event = this.em.create(AuditEvent, {
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
    this.em.persist(event);
    this.observe?.(entry.type, entry.success);
    return event;
  }

  /** One page of `organizationId`'s events after `after` (an opaque cursor from a previous page). */
  async query(organizationId: string, filter: AuditFilter, first = 50, after?: string | null): Promise<AuditPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
      throw new InvalidInputError('first', `first must be an integer between 1 and ${MAX_PAGE}`);
    }
    const and: FilterQuery<AuditEvent>[] = [{ organizationId }];
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
    const rows = await this.em.find(AuditEvent, { $and: and }, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: first + 1 });
    const events = rows.slice(0, first);
    const last = events.at(-1);
    return { events, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last) : null };
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
