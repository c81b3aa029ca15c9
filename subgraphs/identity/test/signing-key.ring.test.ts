import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtectedHeader } from 'jose';
import { openSqlite, type TestDatabase } from './support/test-database';
import { manualClock, testSettings } from './support/test-settings';
import { createIdentityServices, type IdentityServices } from '../src/identity.services';
import { PUBLISH_AHEAD_SECONDS } from '../src/signing-key/signing-key.ring';

const HOUR = 3_600_000;
let db: TestDatabase;
let services: IdentityServices;
const clock = manualClock(Date.parse('2026-03-01T00:00:00Z'));

beforeAll(async () => {
  db = await openSqlite();
  services = createIdentityServices({ settings: testSettings({ keyRotationSeconds: 24 * 3600 }), clock: clock.now });
});
afterAll(async () => db?.close());

const em = () => db.orm.em.fork();
const kids = async () => (await services.keys.jwks(em())).keys.map((k) => k.kid);
const sign = async () =>
  (await services.issuer.issue(em(), { sub: 'u', org: 'o', roles: [], perms: [], kind: 'user' })).accessToken;

describe('scheduled signing-key rotation', () => {
  it('publishes the next key before it signs, then retires the old one until its tokens expire', async () => {
    const first = await services.keys.ensureActiveKey(em());
    expect(await kids()).toEqual([first]);

    clock.advance(24 * HOUR - PUBLISH_AHEAD_SECONDS * 1000 + 1000);
    const oldToken = await sign();
    expect(decodeProtectedHeader(oldToken).kid).toBe(first);
    const published = await kids();
    expect(published).toHaveLength(2);
    const next = published.find((k) => k !== first)!;

    // Published but not yet signing.
    clock.advance(PUBLISH_AHEAD_SECONDS * 1000 - 5000);
    expect(decodeProtectedHeader(await sign()).kid).toBe(first);

    clock.advance(6000);
    expect(decodeProtectedHeader(await sign()).kid).toBe(next);
    expect(await kids()).toEqual(expect.arrayContaining([first, next]));
    await expect(services.verifier.verify(em(), oldToken)).resolves.toMatchObject({ id: 'u' });

    clock.advance((900 + 61) * 1000);
    expect(await kids()).toEqual([next]);
  });
});
