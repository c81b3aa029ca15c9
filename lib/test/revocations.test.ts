import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyLike } from 'jose';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { afterEach, assert, describe, expect, it, vi } from 'vitest';
import { EXPIRED_SUBSCRIPTION_MESSAGE, watchCredentials } from '../src/auth/credential-watch';
import { followRevocations } from '../src/auth/revocation-feed';
import type { Revocation } from '../src/auth/revocations';
import { RevocationList, parseRevocations, watchRevocation } from '../src/auth/revocations';
import { REVOKED_TOKEN_MESSAGE, createTokenVerifier } from '../src/auth/token-verifier';
import type { Viewer } from '../src/auth/viewer';
import { createLogger } from '../src/logger';

const inMinutes = (m: number) => new Date(Date.now() + m * 60_000).toISOString();
const viewer = (
  over: Partial<{ id: string; organizationId: string; sessionId: string; apiKeyId: string; issuedAt: number }> = {},
) => ({ id: 'u1', organizationId: 'o1', issuedAt: Date.now() - 1000, ...over });

describe('RevocationList', () => {
  it('refuses revoked sessions, keys and members issued before, until their time ends', () => {
    let now = Date.now();
    const list = new RevocationList(() => now);
    list.add([
      { kind: 'session', id: 's1', until: inMinutes(16) },
      { kind: 'api_key', id: 'k1', until: inMinutes(16) },
      { kind: 'member', id: 'o1:u2', until: inMinutes(16), issuedBefore: new Date(now).toISOString() },
    ]);
    expect(list.revokes(viewer({ sessionId: 's1' }))).toBe(true);
    expect(list.revokes(viewer({ sessionId: 's2' }))).toBe(false);
    expect(list.revokes(viewer({ apiKeyId: 'k1' }))).toBe(true);
    expect(list.revokes(viewer({ id: 'u2', issuedAt: now - 1 }))).toBe(true);
    expect(list.revokes(viewer({ id: 'u2', issuedAt: now }))).toBe(false);
    expect(list.revokes(viewer({ id: 'u2', organizationId: 'o2', issuedAt: now - 1 }))).toBe(false);
    now += 17 * 60_000;
    expect(list.revokes(viewer({ sessionId: 's1' }))).toBe(false);
    expect(list.snapshot()).toEqual([]);
  });

  it('is idempotent and order-free, tells listeners once, and drops malformed entries', () => {
    const list = new RevocationList();
    const heard: Revocation[] = [];
    list.onRevoked((r) => heard.push(r));
    const r = { kind: 'session' as const, id: 's1', until: inMinutes(5) };
    list.add([r, r, { ...r, until: inMinutes(10) }]);
    expect(heard).toEqual([r]);
    const [only, ...rest] = list.snapshot();
    expect(rest).toEqual([]);
    assert.isDefined(only);
    expect(only).toMatchObject({ kind: 'session', id: 's1' });
    expect(Date.parse(only.until)).toBeGreaterThan(Date.now() + 9 * 60_000);
    expect(
      parseRevocations([
        { kind: 'session', id: '', until: inMinutes(1) },
        { kind: 'other', id: 'x', until: inMinutes(1) },
        { kind: 'member', id: 'o:u', until: inMinutes(1) },
        null,
        'x',
      ]),
    ).toEqual([]);
  });

  it('watches one viewer: fires once for its revocation only', async () => {
    const list = new RevocationList();
    let fired = 0;
    const stop = watchRevocation(list, viewer({ sessionId: 's9' }), () => fired++);
    list.add([{ kind: 'session', id: 'other', until: inMinutes(5) }]);
    list.add([{ kind: 'session', id: 's9', until: inMinutes(5) }]);
    list.add([{ kind: 'session', id: 's9', until: inMinutes(9) }]);
    stop();
    expect(fired).toBe(1);
  });
});

describe('token verifier with revocations', () => {
  it('refuses a token cached before its session was revoked', async () => {
    const { privateKey, publicKey } = (await generateKeyPair('EdDSA', { crv: 'Ed25519' })) as {
      privateKey: KeyLike;
      publicKey: KeyLike;
    };
    const jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(publicKey)), kid: 'k', alg: 'EdDSA' }] });
    const list = new RevocationList();
    const verify = createTokenVerifier({ getKey: jwks, issuer: 'i', audience: 'a', revocations: list });
    const token = await new SignJWT({ org: 'o1', roles: [], perms: [], kind: 'user', sid: 's1' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k', typ: 'at+jwt' })
      .setIssuer('i')
      .setAudience('a')
      .setSubject('u1')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
    await expect(verify(token)).resolves.toMatchObject({ sessionId: 's1' });
    list.add([{ kind: 'session', id: 's1', until: inMinutes(16) }]);
    await expect(verify(token)).rejects.toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
  });
});

describe('followRevocations over the stream', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())));
  });

  /** A stand-in for identity's stream: the snapshot it is given, then whatever `send` pushes. */
  function streamServer(snapshot: () => Revocation[], port = 0) {
    const open = new Set<http.ServerResponse>();
    const server = http.createServer((req, res) => {
      if (req.url !== '/internal/revocations/stream') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`event: snapshot\ndata: ${JSON.stringify(snapshot())}\n\n`);
      open.add(res);
      res.on('close', () => open.delete(res));
    });
    servers.push(server);
    return {
      listen: () =>
        new Promise<number>((r) => server.listen(port, '127.0.0.1', () => r((server.address() as AddressInfo).port))),
      send: (r: Revocation) => open.forEach((res) => res.write(`event: revoked\ndata: ${JSON.stringify(r)}\n\n`)),
      drop: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
    };
  }

  it('loads the snapshot, hears live events, and after the feed drops reloads the whole list on reconnect', async () => {
    const known: Revocation[] = [{ kind: 'session', id: 'before', until: inMinutes(16) }];
    const first = streamServer(() => known);
    const port = await first.listen();
    const feed = followRevocations(
      { identityUrl: `http://127.0.0.1:${port}`, channel: 'unused' },
      createLogger('t', 'silent'),
    );
    try {
      expect(await feed.whenLoaded(3000)).toBe(true);
      expect(feed.list.has('session', 'before')).toBe(true);
      first.send({ kind: 'api_key', id: 'live', until: inMinutes(16) });
      await expect.poll(() => feed.list.has('api_key', 'live'), { timeout: 1000 }).toBe(true);
      await first.drop();
      // Revoked while the follower was cut off: it must learn it from the next snapshot.
      known.push({ kind: 'session', id: 'during-outage', until: inMinutes(16) });
      const second = streamServer(() => known, port);
      await second.listen();
      await expect.poll(() => feed.list.has('session', 'during-outage'), { timeout: 7000 }).toBe(true);
    } finally {
      await feed.close();
    }
  });

  it('is not loaded while identity is unreachable, and loads once it answers', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const feed = followRevocations(
      { identityUrl: `http://127.0.0.1:${port}`, channel: 'unused' },
      createLogger('t', 'silent'),
    );
    try {
      expect(await feed.whenLoaded(300)).toBe(false);
      expect(feed.loaded()).toBe(false);
      await streamServer(() => [{ kind: 'session', id: 'x', until: inMinutes(16) }], port).listen();
      expect(await feed.whenLoaded(7000)).toBe(true);
      expect(feed.list.has('session', 'x')).toBe(true);
    } finally {
      await feed.close();
    }
  });
});

describe('watchCredentials (how long a subscription may run)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const user = (expiresAt: number, sessionId = 's-watch'): Viewer => ({
    ...viewer({ sessionId }),
    roles: [],
    permissions: [],
    kind: 'user',
    token: 't',
    expiresAt,
  });

  it('ends at the expiry, not before, also for expiries beyond what one timer can hold (24.8 days)', () => {
    vi.useFakeTimers();
    const day = 86_400_000;
    for (const days of [0.001, 1, 30, 400]) {
      const ended: string[] = [];
      const stop = watchCredentials(user(Date.now() + days * day), undefined, (e) =>
        ended.push(`${e.extensions.code}: ${e.message}`),
      );
      vi.advanceTimersByTime(days * day - 1);
      expect([days, ended]).toEqual([days, []]);
      vi.advanceTimersByTime(1);
      expect([days, ended]).toEqual([days, [`UNAUTHENTICATED: ${EXPIRED_SUBSCRIPTION_MESSAGE}`]]);
      vi.advanceTimersByTime(10 * day);
      expect(ended).toHaveLength(1);
      stop();
    }
  });

  it('ends once on revocation, and never after being stopped', async () => {
    const list = new RevocationList();
    const ended: string[] = [];
    watchCredentials(user(Date.now() + 60_000, 's-revoked'), list, (e) => ended.push(e.message));
    const stopped: string[] = [];
    watchCredentials(user(Date.now() + 60_000, 's-stopped'), list, (e) => stopped.push(e.message))();
    list.add([
      { kind: 'session', id: 's-revoked', until: inMinutes(5) },
      { kind: 'session', id: 's-stopped', until: inMinutes(5) },
    ]);
    list.add([{ kind: 'session', id: 's-revoked', until: inMinutes(6) }]);
    expect(ended).toEqual([REVOKED_TOKEN_MESSAGE]);
    expect(stopped).toEqual([]);
    expect(watchCredentials(null, list, () => ended.push('no viewer'))).toBeTypeOf('function');
  });
});
