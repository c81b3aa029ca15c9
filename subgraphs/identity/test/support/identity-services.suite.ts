import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './test-database';
import { manualClock, SERVICE_SECRET, testSettings } from './test-settings';
import { createIdentityServices, type IdentityServices } from '../../src/identity.services';
import type { Actor, ActorScope, CallerScope } from '../../src/shared/actor.types';
import { LOGIN_FAILED } from '../../src/auth/auth.service';
import { User } from '../../src/user/user.entity';
import { ALL_PERMISSIONS, BUILT_IN_ROLES } from '../../src/permission/permission.catalog';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { decodeJwt, decodeProtectedHeader } from 'jose';

/**
 * The identity services' behaviour, run the same way on every database driver.
 * `open` creates an empty database with the schema.
 */
export function describeIdentityServices(driver: string, open: () => Promise<TestDatabase>, enabled = true): void {
  describe.skipIf(!enabled)(`identity services on ${driver}`, () => {
    let db: TestDatabase;
    let s: IdentityServices;
    const clock = manualClock();
    const adminPassword = 'correct horse battery staple';
    let defaultOrgId: string;
    // Services are built once; every call gets the unit of work of its own "request".
    const em = () => db.orm.em.fork();
    const as = (viewer: Actor): ActorScope => ({ viewer, em: em() });
    const anyone = (): CallerScope => ({ viewer: null, em: em() });
    const actorOf = async (token: string): Promise<Actor> => s.verifier.verify(em(), token);
    const loginAs = async (email: string, password: string, org?: string) =>
      s.auth.login(anyone(), email, password, org);

    beforeAll(async () => {
      db = await open();
      s = createIdentityServices({ settings: testSettings(), clock: clock.now });
      const first = await s.firstRun.run(em(), { adminEmail: 'Admin@Example.com', adminPassword });
      expect(first?.generatedPassword).toBeNull();
      defaultOrgId = first!.organization.id;
    });
    afterAll(async () => db?.close());

    it('runs first-run once: organization default with an owner, never again', async () => {
      const org = await s.organizations.bySlug(em(), 'default');
      expect(org?.id).toBe(defaultOrgId);
      expect(await s.firstRun.run(em(), {})).toBeNull();
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      const roles = await s.roles.list(as(owner));
      expect(
        roles
          .filter((r) => r.builtIn)
          .map((r) => r.name)
          .sort(),
      ).toEqual(['admin', 'data-scientist', 'ml-engineer', 'owner', 'viewer']);
      const admin = await em().findOneOrFail(User, { email: 'admin@example.com' }, { populate: ['passwordHash'] });
      expect(admin.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(JSON.stringify(admin)).not.toContain('argon2');
    });

    it('signs in and issues an EdDSA at+jwt with the contract claims', async () => {
      const result = await loginAs('admin@example.com', adminPassword);
      const header = decodeProtectedHeader(result.accessToken);
      expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
      expect(typeof header.kid).toBe('string');
      const claims = decodeJwt(result.accessToken);
      expect(claims).toMatchObject({
        iss: 'aic-identity',
        aud: 'aic-platform',
        sub: result.user.id,
        org: defaultOrgId,
        roles: ['owner'],
        kind: 'user',
        sid: result.sessionId,
      });
      expect([...(claims.perms as string[])].sort()).toEqual([...ALL_PERMISSIONS].sort());
      expect((claims.exp as number) - (claims.iat as number)).toBe(900);
      expect(result.expiresIn).toBe(900);
      expect(result.refreshToken).toMatch(/^aicr_/);
      const actor = await actorOf(result.accessToken);
      expect(actor).toMatchObject({
        id: result.user.id,
        organizationId: defaultOrgId,
        kind: 'user',
        sessionId: result.sessionId,
      });
    });

    it('answers a wrong password and an unknown email with the same error', async () => {
      const wrong = await loginAs('admin@example.com', 'not the password').catch((e: Error) => e);
      const unknown = await loginAs('nobody@example.com', 'not the password').catch((e: Error) => e);
      expect(wrong).toMatchObject({ code: 'UNAUTHENTICATED', message: LOGIN_FAILED });
      expect(unknown).toMatchObject({ code: 'UNAUTHENTICATED', message: LOGIN_FAILED });
      const events = await em().find(AuditEvent, { type: 'login.failed' });
      expect(events.some((e) => e.organizationId === defaultOrgId && e.success === false)).toBe(true);
      expect(events.some((e) => e.organizationId === null && e.details.email === 'nobody@example.com')).toBe(true);
      await loginAs('admin@example.com', adminPassword);
    });

    it('locks an account with a growing, capped delay that always ends', async () => {
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      const password = 'victim password 1';
      await s.users.create(as(owner), { email: 'victim@example.com', name: 'Victim', password, roles: ['viewer'] });
      const policy = testSettings().lockout;
      for (let i = 1; i <= policy.threshold; i++)
        await expect(loginAs('victim@example.com', 'guess')).rejects.toThrow(LOGIN_FAILED);
      const locked = await em().findOneOrFail(User, { email: 'victim@example.com' });
      expect(locked.lockedUntil!.getTime() - clock.now().getTime()).toBe(policy.baseDelaySeconds * 1000);
      // The right password is refused while locked, and refused attempts do not extend the lock.
      await expect(loginAs('victim@example.com', password)).rejects.toThrow(LOGIN_FAILED);
      const still = await em().findOneOrFail(User, { email: 'victim@example.com' });
      expect(still.lockedUntil!.getTime()).toBe(locked.lockedUntil!.getTime());
      expect(still.failedLoginCount).toBe(policy.threshold);
      clock.advance(policy.baseDelaySeconds * 1000 + 1);
      await expect(loginAs('victim@example.com', 'guess')).rejects.toThrow(LOGIN_FAILED);
      const doubled = await em().findOneOrFail(User, { email: 'victim@example.com' });
      expect(doubled.lockedUntil!.getTime() - clock.now().getTime()).toBe(2 * policy.baseDelaySeconds * 1000);
      for (let i = 0; i < 8; i++) {
        clock.advance(policy.maxDelaySeconds * 1000 + 1);
        await expect(loginAs('victim@example.com', 'guess')).rejects.toThrow(LOGIN_FAILED);
      }
      const capped = await em().findOneOrFail(User, { email: 'victim@example.com' });
      expect(capped.lockedUntil!.getTime() - clock.now().getTime()).toBe(policy.maxDelaySeconds * 1000);
      clock.advance(policy.maxDelaySeconds * 1000 + 1);
      const ok = await loginAs('victim@example.com', password);
      expect(ok.user.email).toBe('victim@example.com');
      const reset = await em().findOneOrFail(User, { email: 'victim@example.com' });
      expect(reset.failedLoginCount).toBe(0);
      const types = (await em().find(AuditEvent, { targetId: reset.id })).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['login.failed', 'account.locked', 'login.locked']));
    });

    it('rotates refresh tokens and revokes the family when a rotated token is reused', async () => {
      const first = await loginAs('admin@example.com', adminPassword);
      const second = await s.auth.refresh(anyone(), first.refreshToken);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.sessionId).toBe(first.sessionId);
      const third = await s.auth.refresh(anyone(), second.refreshToken);
      await expect(s.auth.refresh(anyone(), first.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(s.auth.refresh(anyone(), third.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      const events = await em().find(AuditEvent, { type: 'token.family-revoked', targetId: first.sessionId });
      expect(events).toHaveLength(1);
      await expect(s.auth.refresh(anyone(), 'aicr_made-up')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('allows exactly one of two concurrent refreshes with the same token', async () => {
      const login = await loginAs('admin@example.com', adminPassword);
      const results = await Promise.allSettled([
        s.auth.refresh(anyone(), login.refreshToken),
        s.auth.refresh(anyone(), login.refreshToken),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('lists sessions, logs out and revokes sessions with ownership checks', async () => {
      const a = await loginAs('admin@example.com', adminPassword);
      const owner = await actorOf(a.accessToken);
      const sessions = await s.sessions.active(em(), owner.id, defaultOrgId);
      expect(sessions.map((s) => s.id)).toContain(a.sessionId);
      const v = await loginAs('victim@example.com', 'victim password 1');
      const viewer = await actorOf(v.accessToken);
      await expect(s.sessions.revoke(as(viewer), a.sessionId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await s.sessions.revoke(as(owner), v.sessionId);
      await expect(s.auth.refresh(anyone(), v.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(await s.sessions.logoutByRefreshToken(em(), a.refreshToken)).toBe(true);
      expect((await s.sessions.active(em(), owner.id, defaultOrgId)).map((s) => s.id)).not.toContain(a.sessionId);
    });

    it('creates users and roles without privilege escalation', async () => {
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      await s.users.create(as(owner), {
        email: 'ds@example.com',
        name: 'DS',
        password: 'data scientist pw',
        roles: ['data-scientist'],
      });
      await s.users.create(as(owner), {
        email: 'adm@example.com',
        name: 'Adm',
        password: 'an admin password',
        roles: ['admin'],
      });
      await expect(
        s.users.create(as(owner), { email: 'DS@example.com', name: 'Dup', password: 'whatever pw' }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(
        s.users.create(as(owner), { email: 'bad', name: 'X', password: 'whatever pw' }),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'email' }] });
      await expect(
        s.users.create(as(owner), { email: 'short@example.com', name: 'X', password: 'short' }),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'password' }] });

      const ds = await actorOf((await loginAs('ds@example.com', 'data scientist pw')).accessToken);
      expect(ds.permissions).toEqual([...BUILT_IN_ROLES['data-scientist'].permissions].sort());
      await expect(s.roles.assign(as(ds), ds.id, 'admin')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(s.roles.create(as(ds), { name: 'sneaky', permissions: ['audit:read'] })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });

      const adm = await actorOf((await loginAs('adm@example.com', 'an admin password')).accessToken);
      await expect(s.roles.assign(as(adm), adm.id, 'owner')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const role = await s.roles.create(as(adm), {
        name: 'labeler',
        description: 'Labels data',
        permissions: ['catalog:read', 'catalog:write'],
      });
      expect(role.permissions).toEqual(['catalog:read', 'catalog:write']);
      await expect(s.roles.create(as(adm), { name: 'labeler', permissions: ['catalog:read'] })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      await expect(s.roles.create(as(adm), { name: 'viewer', permissions: ['catalog:read'] })).rejects.toMatchObject({
        code: 'CONFLICT',
      });
      await expect(s.roles.create(as(adm), { name: 'x-role', permissions: ['catalog:fly'] })).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
      });
      await s.roles.assign(as(adm), ds.id, 'labeler');
      const refreshed = await actorOf((await loginAs('ds@example.com', 'data scientist pw')).accessToken);
      expect(refreshed.roles).toEqual(['data-scientist', 'labeler']);
      expect(await s.roles.revoke(as(adm), ds.id, 'labeler')).toBe(true);
      await expect(s.roles.revoke(as(owner), owner.id, 'owner')).rejects.toMatchObject({ code: 'CONFLICT' });
      const types = (await em().find(AuditEvent, { organizationId: defaultOrgId, targetId: ds.id })).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['user.created', 'member.added', 'role.assigned', 'role.revoked']));
    });

    it('scopes tokens to one of several organizations', async () => {
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      const work = em();
      const admin = await work.findOneOrFail(User, { id: owner.id });
      const research = await s.organizations.create(
        work,
        { slug: `research-${Date.now()}`, name: 'Research' },
        admin,
        owner,
      );
      const inResearch = await loginAs('admin@example.com', adminPassword, research.id);
      expect((await actorOf(inResearch.accessToken)).organizationId).toBe(research.id);
      expect((await s.organizations.ofUser(em(), owner.id)).map((o) => o.id)).toEqual([defaultOrgId, research.id]);
      await expect(loginAs('ds@example.com', 'data scientist pw', research.id)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      const researchOwner = await actorOf(inResearch.accessToken);
      const ds = await s.users.invite(as(researchOwner), 'ds@example.com', ['viewer']);
      const dsInResearch = await actorOf(
        (await loginAs('ds@example.com', 'data scientist pw', research.id)).accessToken,
      );
      expect(dsInResearch).toMatchObject({ id: ds.id, organizationId: research.id, roles: ['viewer'] });
      await expect(
        s.users.inOrganization(
          em(),
          research.id,
          (await actorOf((await loginAs('victim@example.com', 'victim password 1')).accessToken)).id,
        ),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await s.organizations.removeMember(as(researchOwner), ds.id);
      await expect(loginAs('ds@example.com', 'data scientist pw', research.id)).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
    });

    it('issues API keys shown once, exchanges them for api_key tokens, and revokes them', async () => {
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      const machine = await s.users.create(as(owner), {
        email: 'ci-bot@example.com',
        name: 'CI bot',
        roles: ['ml-engineer'],
      });
      const { apiKey, secret } = await s.apiKeys.create(as(owner), {
        name: 'ci',
        userId: machine.id,
        roles: ['data-scientist'],
      });
      expect(secret).toMatch(/^aic_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      expect(secret.slice(4, 16)).toBe(apiKey.prefix);
      expect(apiKey.secretHash).not.toContain(secret);
      expect(JSON.stringify(apiKey)).not.toContain(apiKey.secretHash);
      const token = await s.apiKeys.authenticate(anyone(), secret);
      const actor = await actorOf(token.accessToken);
      expect(actor).toMatchObject({
        id: machine.id,
        organizationId: defaultOrgId,
        kind: 'api_key',
        roles: ['data-scientist'],
      });
      expect(actor.permissions).toEqual([...BUILT_IN_ROLES['data-scientist'].permissions].sort());
      expect((await s.apiKeys.byId(em(), defaultOrgId, apiKey.id)).lastUsedAt).toBeInstanceOf(Date);
      await expect(
        s.apiKeys.authenticate(anyone(), secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A')),
      ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(s.apiKeys.authenticate(anyone(), 'aic_nope')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      const ds = await actorOf((await loginAs('ds@example.com', 'data scientist pw')).accessToken);
      await expect(s.apiKeys.create(as(ds), { name: 'mine' })).resolves.toMatchObject({
        apiKey: { roles: ['data-scientist'] },
      });
      await expect(s.apiKeys.create(as(ds), { name: 'too strong', roles: ['admin'] })).rejects.toMatchObject({
        code: 'FORBIDDEN',
      });
      await expect(s.apiKeys.revoke(as(ds), apiKey.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await s.apiKeys.revoke(as(owner), apiKey.id);
      await expect(s.apiKeys.authenticate(anyone(), secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      const types = (await em().find(AuditEvent, { targetId: apiKey.id })).map((e) => e.type);
      expect(types).toEqual(
        expect.arrayContaining(['apikey.created', 'apikey.used', 'apikey.rejected', 'apikey.revoked']),
      );
    });

    it('rotates signing keys and publishes the old key until its tokens expire', async () => {
      const before = await loginAs('admin@example.com', adminPassword);
      const oldKid = decodeProtectedHeader(before.accessToken).kid;
      await s.keys.rotate(em());
      const after = await loginAs('admin@example.com', adminPassword);
      const newKid = decodeProtectedHeader(after.accessToken).kid;
      expect(newKid).not.toBe(oldKid);
      expect((await s.keys.jwks(em())).keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
      expect((await s.keys.jwks(em())).keys.every((k) => k.d === undefined && k.alg === 'EdDSA')).toBe(true);
      await expect(actorOf(before.accessToken)).resolves.toMatchObject({ id: before.user.id });
      clock.advance(17 * 60 * 1000);
      expect((await s.keys.jwks(em())).keys.map((k) => k.kid)).toEqual([newKid]);
      await expect(actorOf(before.accessToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('issues service tokens only for the right secret', async () => {
      await expect(
        s.serviceTokens.issue(em(), 'wrong', {
          service: 'models',
          organizationId: defaultOrgId,
          permissions: ['catalog:read'],
        }),
      ).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(
        s.serviceTokens.issue(em(), SERVICE_SECRET, {
          service: 'models',
          organizationId: defaultOrgId,
          permissions: ['catalog:steal'],
        }),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      const issued = await s.serviceTokens.issue(em(), SERVICE_SECRET, {
        service: 'models',
        organizationId: defaultOrgId,
        permissions: ['catalog:read', 'models:read'],
      });
      expect(await actorOf(issued.accessToken)).toMatchObject({
        id: 'service:models',
        organizationId: defaultOrgId,
        kind: 'service',
        permissions: ['catalog:read', 'models:read'],
        roles: [],
      });
    });

    it('issues delegated tokens for a job only while its user holds every permission it asks for', async () => {
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      const user = await s.users.create(as(owner), {
        email: 'starter@example.com',
        name: 'Starter',
        password: 'a long enough password',
        roles: ['data-scientist'],
      });
      const ask = (permissions: string[], onBehalfOf: unknown = user.id) =>
        s.serviceTokens.issue(em(), SERVICE_SECRET, {
          service: 'apps',
          organizationId: defaultOrgId,
          permissions,
          onBehalfOf,
        });
      const held = (await s.roles.grantOf(em(), user.id, defaultOrgId))!.permissions;
      const wanted = held.slice(0, 2);
      const issued = await ask(wanted);
      // The token is the user's (their organization, only the asked permissions), with the service as actor.
      expect(decodeJwt(issued.accessToken)).toMatchObject({
        sub: user.id,
        org: defaultOrgId,
        kind: 'user',
        perms: [...wanted].sort(),
        roles: [],
        act: { sub: 'service:apps' },
      });
      // Identity itself never accepts it: a job cannot act on the user's own account.
      await expect(actorOf(issued.accessToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      // A permission the user lacks is refused by name; so is a user who is not a member.
      await expect(ask([wanted[0]!, 'audit:read'])).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('audit:read'),
      });
      await expect(ask(wanted, '00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(ask(wanted, { id: user.id })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      // Both the service and the user are in the audit log, for issues and refusals.
      const events = await em().find(
        AuditEvent,
        { type: { $in: ['service-token.issued', 'service-token.rejected'] }, targetId: user.id },
        { orderBy: { createdAt: 'asc' } },
      );
      expect(events.map((e) => [e.type, e.actorId, e.targetId])).toEqual([
        ['service-token.issued', 'service:apps', user.id],
        ['service-token.rejected', 'service:apps', user.id],
      ]);
      expect(events[1]!.details).toMatchObject({ missing: ['audit:read'] });
      // Disabled: no more delegation.
      await em().nativeUpdate(User, { id: user.id }, { disabled: true });
      await expect(ask(wanted)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('pages the audit log newest first, scoped to one organization', async () => {
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      expect(owner.organizationId).toBe(defaultOrgId);
      const page1 = await s.audit.query(as(owner), {}, 5);
      expect(page1.nodes).toHaveLength(5);
      expect(page1.pageInfo.hasNextPage).toBe(true);
      const page2 = await s.audit.query(as(owner), {}, 5, page1.pageInfo.endCursor);
      const ids = new Set([...page1.nodes, ...page2.nodes].map((e) => e.id));
      expect(ids.size).toBe(10);
      const all = [...page1.nodes, ...page2.nodes];
      for (let i = 1; i < all.length; i++)
        expect(all[i - 1]!.createdAt.getTime()).toBeGreaterThanOrEqual(all[i]!.createdAt.getTime());
      expect(all.every((e) => e.organizationId === defaultOrgId)).toBe(true);
      const failures = await s.audit.query(as(owner), { types: ['login.failed'], success: false }, 50);
      expect(failures.nodes.length).toBeGreaterThan(0);
      expect(failures.nodes.every((e) => e.type === 'login.failed')).toBe(true);
      await expect(s.audit.query(as(owner), {}, 0)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(s.audit.query(as(owner), {}, 5, 'garbage')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    });
  });
}
