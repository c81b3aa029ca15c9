import { INTERNAL_ROUTES } from '../../contracts/routes';
import type { Viewer } from './viewer';

/**
 * What a revocation names: a session (`sid` claim), an API key (`akid` claim), or a member's
 * grant in an organization (`<org>:<user>`, for tokens of that `sub` and `org` issued before
 * `issuedBefore`: a role was taken away, the next token carries the new permissions).
 */
export type RevocationKind = 'session' | 'api_key' | 'member';

/**
 * One revoked id, as identity publishes it. `until` is the latest expiry of any access token that
 * could carry the id (ISO 8601); after it the entry is forgotten, since every such token has expired.
 */
export interface Revocation {
  kind: RevocationKind;
  id: string;
  until: string;
  /** `member` only: tokens issued (`iat`) before this instant are refused (ISO 8601, whole seconds). */
  issuedBefore?: string;
}

/** @returns the id of a member revocation */
export const memberRevocationId = (organizationId: string, userId: string) => `${organizationId}:${userId}`;

/** BEWARE: the wire contract between identity (server) and every verifier (client). */
export const REVOCATIONS_PATH = INTERNAL_ROUTES.revocations.path;
/** Server-sent events: a `snapshot` event (JSON array) first, then one `revoked` event per revocation. */
export const REVOCATIONS_STREAM_PATH = INTERNAL_ROUTES.revocationStream.path;
/** Seconds between `: ping` comments on the stream; a follower that hears nothing for three reconnects. */
export const REVOCATIONS_HEARTBEAT_SECONDS = 10;

const KINDS: ReadonlySet<string> = new Set<RevocationKind>(['session', 'api_key', 'member']);

/** @returns the revocations in `value` that are well formed (anything else is dropped) */
export function parseRevocations(value: unknown): Revocation[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter(
    (r): r is Revocation =>
      typeof r === 'object' &&
      r !== null &&
      KINDS.has((r as Revocation).kind) &&
      typeof (r as Revocation).id === 'string' &&
      (r as Revocation).id.length > 0 &&
      (r as Revocation).id.length <= 200 &&
      !Number.isNaN(Date.parse((r as Revocation).until)) &&
      ((r as Revocation).kind !== 'member' || !Number.isNaN(Date.parse((r as Revocation).issuedBefore ?? ''))),
  );
}

/**
 * The live revoked ids one process knows, each kept until its `until`. Adding is idempotent (the
 * later `until` wins), so a snapshot and live events may arrive in any order and overlap.
 */
export class RevocationList {
  private readonly entries = new Map<string, number>();
  /** Member revocations: `<org>:<user>` → the instant (ms) before which its tokens were issued. */
  private readonly issuedBefore = new Map<string, number>();
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
      if (r.kind === 'member') {
        const before = Date.parse(r.issuedBefore!);
        const knownBefore = this.issuedBefore.get(r.id) ?? 0;
        if (known !== undefined && known >= until && knownBefore >= before) continue;
        this.entries.set(key, Math.max(known ?? 0, until));
        this.issuedBefore.set(r.id, Math.max(knownBefore, before));
        if (before > knownBefore) for (const listener of this.listeners) listener(r);
        continue;
      }
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
    if (kind === 'member') this.issuedBefore.delete(id);
    return false;
  }

  /** @returns true when the viewer's session or API key is revoked, or its grant changed after the token was issued */
  revokes(viewer: RevocableViewer): boolean {
    if (viewer.sessionId && this.has('session', viewer.sessionId)) return true;
    if (viewer.apiKeyId && this.has('api_key', viewer.apiKeyId)) return true;
    const before = this.memberIssuedBefore(viewer.organizationId, viewer.id);
    return before !== undefined && viewer.issuedAt < before;
  }

  /** @returns the instant (ms) before which the member's tokens are refused, while that holds */
  memberIssuedBefore(organizationId: string, userId: string): number | undefined {
    const id = memberRevocationId(organizationId, userId);
    return this.has('member', id) ? this.issuedBefore.get(id) : undefined;
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
      const kind = key.slice(0, at) as RevocationKind;
      const id = key.slice(at + 1);
      const r: Revocation = { kind, id, until: new Date(until).toISOString() };
      if (kind === 'member') r.issuedBefore = new Date(this.issuedBefore.get(id) ?? 0).toISOString();
      return r;
    });
  }

  get size(): number {
    return this.entries.size;
  }

  private prune(): void {
    this.addsSincePrune = 0;
    const now = this.now();
    for (const [key, until] of this.entries) {
      if (until > now) continue;
      this.entries.delete(key);
      if (key.startsWith('member:')) this.issuedBefore.delete(key.slice('member:'.length));
    }
  }
}

/** What of a viewer a revocation can name. */
export type RevocableViewer = Pick<Viewer, 'id' | 'organizationId' | 'sessionId' | 'apiKeyId' | 'issuedAt'>;

/** @returns true when revocation `r` refuses the viewer's token */
export function revocationMatches(r: Revocation, viewer: RevocableViewer): boolean {
  if (r.kind === 'session') return r.id === viewer.sessionId;
  if (r.kind === 'api_key') return r.id === viewer.apiKeyId;
  return (
    r.id === memberRevocationId(viewer.organizationId, viewer.id) && viewer.issuedAt < Date.parse(r.issuedBefore ?? '')
  );
}

/**
 * Calls `onRevoked` once when the viewer's session or key is revoked (a subscription's lifetime).
 * @returns a function that stops watching
 */
export function watchRevocation(
  list: RevocationList | undefined,
  viewer: RevocableViewer | null | undefined,
  onRevoked: () => void,
): () => void {
  if (!list || !viewer) return () => undefined;
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
