// Issue #16, class 9 (authorization gaps): who may create organizations, and per-client-address
// throttling of credential guessing across accounts — through the gateway and at identity directly,
// in dev and production mode, with the counters in memory and in Redis.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../lib/src/testing/harness';
import { skipWithoutRedis, TEST_REDIS } from '../../lib/src/testing/redis';
import type { Platform } from '../support/platform';
import { startPlatform } from '../support/platform';

const REDIS_URL = TEST_REDIS;
const codeOf = (r: { errors?: any[] }) => r.errors?.[0]?.extensions?.code;

async function addMember(p: Platform, roles: string[]) {
  const email = `m-${randomUUID()}@example.com`;
  const password = `pw-${randomUUID()}`;
  const r = await p.call(
    'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
    { i: { email, name: 'Member', password, roles } },
    p.owner.token,
  );
  expect(r.errors).toBeUndefined();
  const login = await p.call('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }', {
    e: email,
    p: password,
  });
  return { id: r.data.createUser.id as string, email, password, token: login.data.login.accessToken as string };
}

const CREATE_ORG = 'mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id slug } }';
const slug = () => `org-${randomUUID().slice(0, 8)}`;

describe.each([false, true])('createOrganization is a permission (production %s)', (production) => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform({ production, only: ['identity'] });
  });
  afterAll(async () => p?.stop());

  it('is refused to members without org:manage, to API keys and to anonymous callers, at the gateway and at identity; nothing is created', async () => {
    const viewer = await addMember(p, ['viewer']);
    const scientist = await addMember(p, ['data-scientist']);
    const engineer = await addMember(p, ['ml-engineer']);
    const key = await p.call('mutation { createApiKey(input: { name: "org-maker" }) { secret } }', {}, p.owner.token);
    const keyToken = (
      await p.call('mutation($k: String!) { authenticateApiKey(key: $k) { accessToken } }', {
        k: key.data.createApiKey.secret,
      })
    ).data.authenticateApiKey.accessToken;
    const attempts: { who: string; token?: string; code: string }[] = [
      { who: 'viewer', token: viewer.token, code: 'FORBIDDEN' },
      { who: 'data-scientist', token: scientist.token, code: 'FORBIDDEN' },
      { who: 'ml-engineer', token: engineer.token, code: 'FORBIDDEN' },
      { who: "the owner's API key", token: keyToken, code: 'FORBIDDEN' },
      { who: 'anonymous', code: 'UNAUTHENTICATED' },
    ];
    for (const a of attempts) {
      for (const [where, send] of [
        ['gateway', (s: string) => p.call(CREATE_ORG, { i: { slug: s, name: 'Taken over' } }, a.token)],
        [
          'identity',
          (s: string) =>
            gql(p.services.identity!.graphqlUrl, CREATE_ORG, { i: { slug: s, name: 'Taken over' } }, a.token),
        ],
      ] as const) {
        const s = slug();
        const r = await send(s);
        expect({ who: a.who, where, code: codeOf(r), data: r.data?.createOrganization ?? null }).toEqual({
          who: a.who,
          where,
          code: a.code,
          data: null,
        });
        // Nothing half-written: the slug is still free for someone allowed.
        const owner = await p.call(CREATE_ORG, { i: { slug: s, name: 'Owner made' } }, p.owner.token);
        expect(owner.data?.createOrganization?.slug).toBe(s);
      }
    }
  });

  it("is allowed to holders of org:manage (owner, admin), who become the new organization's owner", async () => {
    const admin = await addMember(p, ['admin']);
    for (const token of [p.owner.token, admin.token]) {
      const s = slug();
      const r = await p.call(CREATE_ORG, { i: { slug: s, name: 'New tenant' } }, token);
      expect(r.errors).toBeUndefined();
      const mine = await p.call('{ organizations { slug } }', {}, token);
      expect(mine.data.organizations.map((o: { slug: string }) => o.slug)).toContain(s);
    }
  });
});

describe.each([
  { policy: 'anyone', viewer: null, owner: null },
  { policy: 'nobody', viewer: 'FORBIDDEN', owner: 'FORBIDDEN' },
])('AIC_ORGANIZATION_CREATION=$policy', ({ policy, viewer, owner }) => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform({ only: ['identity'], env: { AIC_ORGANIZATION_CREATION: policy } });
  });
  afterAll(async () => p?.stop());

  it('decides who may create organizations', async () => {
    const member = await addMember(p, ['viewer']);
    expect(codeOf(await p.call(CREATE_ORG, { i: { slug: slug(), name: 'X' } }, member.token)) ?? null).toBe(viewer);
    expect(codeOf(await p.call(CREATE_ORG, { i: { slug: slug(), name: 'X' } }, p.owner.token)) ?? null).toBe(owner);
  });
});

const LIMIT = 4;
const throttled = { AIC_CREDENTIAL_FAILURES_PER_ADDRESS: String(LIMIT), AIC_CREDENTIAL_FAILURE_WINDOW_SECONDS: '120' };

/** One failed credential check of each kind the throttle covers, in turn. */
const guesses: { name: string; query: string; vars: () => Record<string, unknown> }[] = [
  {
    name: 'login (unknown email)',
    query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    vars: () => ({ e: `nobody-${randomUUID()}@example.com`, p: 'guess-guess' }),
  },
  {
    name: 'refreshToken',
    query: 'mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken } }',
    vars: () => ({ r: `aicr_${randomUUID()}` }),
  },
  {
    name: 'authenticateApiKey',
    query: 'mutation($k: String!) { authenticateApiKey(key: $k) { accessToken } }',
    vars: () => ({ k: `aic_ABCDEFGHIJKL_${'x'.repeat(43)}` }),
  },
  {
    name: 'exchangeExternalToken',
    query: 'mutation($t: String!) { exchangeExternalToken(token: $t) { accessToken } }',
    vars: () => ({ t: 'not.a.jwt' }),
  },
];

function throttlingSuite({ production, env }: { production: boolean; env: Record<string, string> }): void {
  let p: Platform;
  beforeAll(async () => {
    // One load balancer hop in front of the gateway: X-Forwarded-For's last entry is the client.
    p = await startPlatform({
      production,
      only: ['identity'],
      env: { ...throttled, ...env },
      gateway: { trustProxy: 1 },
    });
  });
  afterAll(async () => p?.stop());

  const from = (address: string) => ({ 'x-forwarded-for': address });

  it('refuses an address after its failures across accounts and credential kinds, with 429 and Retry-After, before checking anything', async () => {
    const attacker = `203.0.113.${Math.floor(Math.random() * 200) + 1}`;
    const victim = await addMember(p, ['viewer']);
    for (let i = 0; i < LIMIT; i++) {
      const g = guesses[i % guesses.length]!;
      const r = await p.call(g.query, g.vars(), undefined, from(attacker));
      expect({ guess: g.name, status: r.status, code: codeOf(r) }).toEqual({
        guess: g.name,
        status: 200,
        code: 'UNAUTHENTICATED',
      });
    }
    for (const g of [
      ...guesses,
      {
        name: 'login (right password)',
        query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        vars: () => ({ e: victim.email, p: victim.password }),
      },
    ]) {
      const res = await fetch(p.gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...from(attacker) },
        body: JSON.stringify({ query: g.query, variables: g.vars() }),
      });
      const body = (await res.json()) as any;
      expect({ guess: g.name, status: res.status, code: codeOf(body) }).toEqual({
        guess: g.name,
        status: 429,
        code: 'RATE_LIMITED',
      });
      const after = body.errors[0].extensions.retryAfterSeconds;
      expect(after).toBeGreaterThan(0);
      expect(after).toBeLessThanOrEqual(120);
      expect(Number(res.headers.get('retry-after'))).toBe(after);
    }
  });

  it('is no denial of service for others: other addresses sign in, and successes never count', async () => {
    const attacker = `198.51.100.${Math.floor(Math.random() * 200) + 1}`;
    const bystander = `192.0.2.${Math.floor(Math.random() * 200) + 1}`;
    const member = await addMember(p, ['viewer']);
    const login = (address: string, password = member.password) =>
      p.call(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
        { e: member.email, p: password },
        undefined,
        from(address),
      );
    // Many correct sign-ins from one address: never throttled.
    for (let i = 0; i < LIMIT + 2; i++) expect((await login(bystander)).data?.login?.accessToken).toBeTruthy();
    for (let i = 0; i < LIMIT; i++) await p.call(guesses[0]!.query, guesses[0]!.vars(), undefined, from(attacker));
    expect(codeOf(await login(attacker))).toBe('RATE_LIMITED');
    expect((await login(bystander)).data?.login?.accessToken).toBeTruthy();
  });
}

describe.each([{ name: 'dev, in memory', production: false, env: {} as Record<string, string> }])(
  'credential guessing is throttled per client address ($name)',
  throttlingSuite,
);
describe.skipIf(skipWithoutRedis('the credential-throttling test with counters in Redis is')).each([
  {
    name: 'production, Redis',
    production: true,
    env: { REDIS_URL, AIC_IDENTITY_REDIS_PREFIX: `test-${randomUUID()}` },
  },
])('credential guessing is throttled per client address ($name)', throttlingSuite);

describe('a client cannot choose its address by sending X-Forwarded-For', () => {
  let p: Platform;
  beforeAll(async () => {
    // No proxy in front of the gateway (the default), and identity trusts no forwarding peer.
    p = await startPlatform({ only: ['identity'], env: { ...throttled } });
  });
  afterAll(async () => p?.stop());

  it('through the gateway, rotating X-Forwarded-For does not reset the count', async () => {
    for (let i = 0; i < LIMIT; i++)
      await p.call(guesses[0]!.query, guesses[0]!.vars(), undefined, { 'x-forwarded-for': `203.0.113.${i + 1}` });
    const r = await p.call(guesses[1]!.query, guesses[1]!.vars(), undefined, {
      'x-forwarded-for': '203.0.113.250, 10.0.0.1',
    });
    expect({ status: r.status, code: codeOf(r) }).toEqual({ status: 429, code: 'RATE_LIMITED' });
  });
});

describe('identity reached directly trusts X-Forwarded-For only from configured proxies', () => {
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform({ only: ['identity'], env: { ...throttled, AIC_TRUSTED_PROXIES: 'none' } });
  });
  afterAll(async () => p?.stop());

  it('counts the peer address whatever the header says', async () => {
    const direct = (g: (typeof guesses)[number], xff: string) =>
      gql(p.services.identity!.graphqlUrl, g.query, g.vars(), undefined, { 'x-forwarded-for': xff });
    for (let i = 0; i < LIMIT; i++)
      expect(codeOf(await direct(guesses[i % guesses.length]!, `198.51.100.${i + 1}`))).toBe('UNAUTHENTICATED');
    const r = await direct(guesses[2]!, '198.51.100.99');
    expect({ status: r.status, code: codeOf(r) }).toEqual({ status: 429, code: 'RATE_LIMITED' });
  });
});
