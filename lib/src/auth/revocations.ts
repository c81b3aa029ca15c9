import type { Viewer } from './viewer';

/** What a revocation names: a session (`sid` claim) or an API key (`akid` claim). */
export type RevocationKind = 'session' | 'api_key';

/**
 * One revoked id, as identity publishes it. `until` is the latest expiry of any access token that
 * could carry the id (ISO 8601); after it the entry is forgotten, since every such token has expired.
 */
export interface Revocation {
  kind: RevocationKind;
  id: string;
  until: string;
}

/** BEWARE: the wire contract between identity (server) and every verifier (client). */
export const REVOCATIONS_PATH = '/internal/revocations';
/** Server-sent events: a `snapshot` event (JSON array) first, then one `revoked` event per revocation. */
export const REVOCATIONS_STREAM_PATH = '/internal/revocations/stream';
/** Seconds between `: ping` comments on the stream; a follower that hears nothing for three reconnects. */
export const REVOCATIONS_HEARTBEAT_SECONDS = 10;

const KINDS: ReadonlySet<string> = new Set<RevocationKind>(['session', 'api_key']);

/** @returns the revocations in `value` that are well formed (anything else is dropped) */
export function parseRevocations(value: unknown): Revocation[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter(
    (r): r is Revocation =>
      typeof r === 'object' && r !== null && KINDS.has((r as Revocation).kind) && typeof (r as Revocation).id === 'string' && (r as Revocation).id.length > 0 && (r as Revocation).id.length <= 200 && !Number.isNaN(Date.parse((r as Revocation).until)),
  );
}

/**
 * The live revoked ids one process knows, each kept until its `until`. Adding is idempotent (the
 * later `until` wins), so a snapshot and live events may arrive in any order and overlap.
 */
export class RevocationList {
  private readonly entries = new Map<string, number>();
  private readonly listeners = new Set<(revocation: Revocation) => void>();
  private addsSincePrune = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds revocations; listeners hear each one that was not known yet. */
  add(revocations: readonly Revocation[]): void {
    const now = this.now();
    for (const r of revocations) {
      const until = Date.parse(r.until);
      if (!(until > now)) continue;
      const key = `${r.kind}:${r.id}`;
      const known = this.entries.get(key);
      if (known !== undefined && known >= until) continue;
      this.entries.set(key, until);
      if (known === undefined) for (const listener of this.listeners) listener(r);
    }
    this.addsSincePrune += revocations.length;
    if (this.addsSincePrune > 1000) this.prune();
  }

  /** @returns true while `id` of `kind` is revoked */
  has(kind: RevocationKind, id: string): boolean {
    const until = this.entries.get(`${kind}:${id}`);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.entries.delete(`${kind}:${id}`);
    return false;
  }

  /** @returns true when the viewer's session or API key is revoked */
  revokes(viewer: Pick<Viewer, 'sessionId' | 'apiKeyId'>): boolean {
    return (!!viewer.sessionId && this.has('session', viewer.sessionId)) || (!!viewer.apiKeyId && this.has('api_key', viewer.apiKeyId));
  }

  /**
   * Calls `listener` for every revocation added from now on (to end open subscriptions).
   * @returns a function that stops listening
   */
  onRevoked(listener: (revocation: Revocation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @returns every live entry */
  snapshot(): Revocation[] {
    this.prune();
    return [...this.entries].map(([key, until]) => {
      const at = key.indexOf(':');
      return { kind: key.slice(0, at) as RevocationKind, id: key.slice(at + 1), until: new Date(until).toISOString() };
    });
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(): void {
    this.addsSincePrune = 0;
    const now = this.now();
    for (const [key, until] of this.entries) if (until <= now) this.entries.delete(key);
  }
}

/** @returns true when revocation `r` names the viewer's session or API key */
export function revocationMatches(r: Revocation, viewer: Pick<Viewer, 'sessionId' | 'apiKeyId'>): boolean {
  return r.kind === 'session' ? r.id === viewer.sessionId : r.id === viewer.apiKeyId;
}

/**
 * Calls `onRevoked` once when the viewer's session or key is revoked (a subscription's lifetime).
 * @returns a function that stops watching
 */
export function watchRevocation(list: RevocationList | undefined, viewer: Pick<Viewer, 'sessionId' | 'apiKeyId'> | null | undefined, onRevoked: () => void): () => void {
  if (!list || !viewer || (!viewer.sessionId && !viewer.apiKeyId)) return () => undefined;
  if (list.revokes(viewer)) {
    queueMicrotask(onRevoked);
    return () => undefined;
  }
  const stop = list.onRevoked((r) => {
    if (!revocationMatches(r, viewer)) return;
    stop();
    onRevoked();
  });
  return stop;
}
