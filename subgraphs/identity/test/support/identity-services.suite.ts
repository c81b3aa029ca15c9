import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabase } from './test-database';
import { manualClock, SERVICE_SECRET, testSettings } from './test-settings';
import { createIdentityRuntime, createIdentityServices, type IdentityRuntime, type IdentityServices } from '../../src/identity.services';
import { runFirstRun } from '../../src/bootstrap/first-run.service';
import type { Actor } from '../../src/shared/actor.types';
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
    let runtime: IdentityRuntime;
    const clock = manualClock();
    const adminPassword = 'correct horse battery staple';
    let defaultOrgId: string;
    const services = (): IdentityServices => createIdentityServices(db.orm.em.fork(), runtime);
    const actorOf = async (token: string): Promise<Actor> => runtime.verifier.verify(db.orm.em.fork(), token);
    const loginAs = async (email: string, password: string, org?: string) => services().auth.login(email, password, org);

    beforeAll(async () => {
      db = await open();
      runtime = createIdentityRuntime(testSettings(), clock.now);
      const s = services();
      const first = await runFirstRun(s.em, { organizations: s.organizations, users: s.users, keys: runtime.keys }, { adminEmail: 'Admin@Example.com', adminPassword });
      expect(first?.generatedPassword).toBeNull();
      defaultOrgId = first!.organization.id;
    });
    afterAll(async () => db?.close());

    it('runs first-run once: organization default with an owner, never again', async () => {
      const s = services();
      const org = await s.organizations.bySlug('default');
      expect(org?.id).toBe(defaultOrgId);
      expect(await runFirstRun(s.em, { organizations: s.organizations, users: s.users, keys: runtime.keys }, {})).toBeNull();
      const roles = await s.roles.list(defaultOrgId);
      expect(roles.filter((r) => r.builtIn).map((r) => r.name).sort()).toEqual(['admin', 'data-scientist', 'ml-engineer', 'owner', 'viewer']);
      const admin = await s.em.findOneOrFail(User, { email: 'admin@example.com' }, { populate: ['passwordHash'] });
      expect(admin.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(JSON.stringify(admin)).not.toContain('argon2');
    });

    it('signs in and issues an EdDSA at+jwt with the contract claims', async () => {
      const result = await loginAs('admin@example.com', adminPassword);
      const header = decodeProtectedHeader(result.accessToken);
      expect(header).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
      expect(typeof header.kid).toBe('string');
      const claims = decodeJwt(result.accessToken);
      expect(claims).toMatchObject({ iss: 'aic-identity', aud: 'aic-platform', sub: result.user.id, org: defaultOrgId, roles: ['owner'], kind: 'user', sid: result.sessionId });
      expect([...(claims.perms as string[])].sort()).toEqual([...ALL_PERMISSIONS].sort());
      expect((claims.exp as number) - (claims.iat as number)).toBe(900);
      expect(result.expiresIn).toBe(900);
      expect(result.refreshToken).toMatch(/^aicr_/);
      const actor = await actorOf(result.accessToken);
      expect(actor).toMatchObject({ id: result.user.id, organizationId: defaultOrgId, kind: 'user', sessionId: result.sessionId });
    });

    it('answers a wrong password and an unknown email with the same error', async () => {
      const wrong = await loginAs('admin@example.com', 'not the password').catch((e: Error) => e);
      const unknown = await loginAs('nobody@example.com', 'not the password').catch((e: Error) => e);
      expect(wrong).toMatchObject({ code: 'UNAUTHENTICATED', message: LOGIN_FAILED });
      expect(unknown).toMatchObject({ code: 'UNAUTHENTICATED', message: LOGIN_FAILED });
      const events = await services().em.find(AuditEvent, { type: 'login.failed' });
      expect(events.some((e) => e.organizationId === defaultOrgId && e.success === false)).toBe(true);
      expect(events.some((e) => e.organizationId === null && e.details.email === 'nobody@example.com')).toBe(true);
      await loginAs('admin@example.com', adminPassword);
    });

    it('locks an account with a growing, capped delay that always ends', async () => {
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      const password = 'victim password 1';
      await services().users.create(owner, { email: 'victim@example.com', name: 'Victim', password, roles: ['viewer'] });
      const policy = testSettings().lockout;
      for (let i = 1; i <= policy.threshold; i++) await expect(loginAs('victim@example.com', 'guess')).rejects.toThrow(LOGIN_FAILED);
      const locked = await services().em.findOneOrFail(User, { email: 'victim@example.com' });
      expect(locked.lockedUntil!.getTime() - clock.now().getTime()).toBe(policy.baseDelaySeconds * 1000);
      // The right password is refused while locked, and refused attempts do not extend the lock.
      await expect(loginAs('victim@example.com', password)).rejects.toThrow(LOGIN_FAILED);
      const still = await services().em.findOneOrFail(User, { email: 'victim@example.com' });
      expect(still.lockedUntil!.getTime()).toBe(locked.lockedUntil!.getTime());
      expect(still.failedLoginCount).toBe(policy.threshold);
      clock.advance(policy.baseDelaySeconds * 1000 + 1);
      await expect(loginAs('victim@example.com', 'guess')).rejects.toThrow(LOGIN_FAILED);
      const doubled = await services().em.findOneOrFail(User, { email: 'victim@example.com' });
      expect(doubled.lockedUntil!.getTime() - clock.now().getTime()).toBe(2 * policy.baseDelaySeconds * 1000);
      for (let i = 0; i < 8; i++) {
        clock.advance(policy.maxDelaySeconds * 1000 + 1);
        await expect(loginAs('victim@example.com', 'guess')).rejects.toThrow(LOGIN_FAILED);
      }
      const capped = await services().em.findOneOrFail(User, { email: 'victim@example.com' });
      expect(capped.lockedUntil!.getTime() - clock.now().getTime()).toBe(policy.maxDelaySeconds * 1000);
      clock.advance(policy.maxDelaySeconds * 1000 + 1);
      const ok = await loginAs('victim@example.com', password);
      expect(ok.user.email).toBe('victim@example.com');
      const reset = await services().em.findOneOrFail(User, { email: 'victim@example.com' });
      expect(reset.failedLoginCount).toBe(0);
      const types = (await services().em.find(AuditEvent, { targetId: reset.id })).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['login.failed', 'account.locked', 'login.locked']));
    });

    it('rotates refresh tokens and revokes the family when a rotated token is reused', async () => {
      const first = await loginAs('admin@example.com', adminPassword);
      const second = await services().auth.refresh(first.refreshToken);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.sessionId).toBe(first.sessionId);
      const third = await services().auth.refresh(second.refreshToken);
      await expect(services().auth.refresh(first.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(services().auth.refresh(third.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      const events = await services().em.find(AuditEvent, { type: 'token.family-revoked', targetId: first.sessionId });
      expect(events).toHaveLength(1);
      await expect(services().auth.refresh('aicr_made-up')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('allows exactly one of two concurrent refreshes with the same token', async () => {
      const login = await loginAs('admin@example.com', adminPassword);
      const results = await Promise.allSettled([services().auth.refresh(login.refreshToken), services().auth.refresh(login.refreshToken)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('lists sessions, logs out and revokes sessions with ownership checks', async () => {
      const a = await loginAs('admin@example.com', adminPassword);
      const owner = await actorOf(a.accessToken);
      const sessions = await services().sessions.active(owner.id, defaultOrgId);
      expect(sessions.map((s) => s.id)).toContain(a.sessionId);
      const v = await loginAs('victim@example.com', 'victim password 1');
      const viewer = await actorOf(v.accessToken);
      await expect(services().sessions.revoke(viewer, a.sessionId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await services().sessions.revoke(owner, v.sessionId);
      await expect(services().auth.refresh(v.refreshToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(await services().sessions.logoutByRefreshToken(a.refreshToken)).toBe(true);
      expect((await services().sessions.active(owner.id, defaultOrgId)).map((s) => s.id)).not.toContain(a.sessionId);
    });

    it('creates users and roles without privilege escalation', async () => {
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      const s = services();
      await s.users.create(owner, { email: 'ds@example.com', name: 'DS', password: 'data scientist pw', roles: ['data-scientist'] });
      await s.users.create(owner, { email: 'adm@example.com', name: 'Adm', password: 'an admin password', roles: ['admin'] });
      await expect(s.users.create(owner, { email: 'DS@example.com', name: 'Dup', password: 'whatever pw' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(s.users.create(owner, { email: 'bad', name: 'X', password: 'whatever pw' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'email' }] });
      await expect(s.users.create(owner, { email: 'short@example.com', name: 'X', password: 'short' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'password' }] });

      const ds = await actorOf((await loginAs('ds@example.com', 'data scientist pw')).accessToken);
      expect(ds.permissions).toEqual([...BUILT_IN_ROLES['data-scientist'].permissions].sort());
      await expect(services().roles.assign(ds, ds.id, 'admin')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(services().roles.create(ds, { name: 'sneaky', permissions: ['audit:read'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });

      const adm = await actorOf((await loginAs('adm@example.com', 'an admin password')).accessToken);
      await expect(services().roles.assign(adm, adm.id, 'owner')).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const role = await services().roles.create(adm, { name: 'labeler', description: 'Labels data', permissions: ['catalog:read', 'catalog:write'] });
      expect(role.permissions).toEqual(['catalog:read', 'catalog:write']);
      await expect(services().roles.create(adm, { name: 'labeler', permissions: ['catalog:read'] })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(services().roles.create(adm, { name: 'viewer', permissions: ['catalog:read'] })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(services().roles.create(adm, { name: 'x-role', permissions: ['catalog:fly'] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await services().roles.assign(adm, ds.id, 'labeler');
      const refreshed = await actorOf((await loginAs('ds@example.com', 'data scientist pw')).accessToken);
      expect(refreshed.roles).toEqual(['data-scientist', 'labeler']);
      expect(await services().roles.revoke(adm, ds.id, 'labeler')).toBe(true);
      await expect(services().roles.revoke(owner, owner.id, 'owner')).rejects.toMatchObject({ code: 'CONFLICT' });
      const types = (await services().em.find(AuditEvent, { organizationId: defaultOrgId, targetId: ds.id })).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['user.created', 'member.added', 'role.assigned', 'role.revoked']));
    });

    it('scopes tokens to one of several organizations', async () => {
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      const s = services();
      const admin = await s.em.findOneOrFail(User, { id: owner.id });
      const research = await s.organizations.create({ slug: `research-${Date.now()}`, name: 'Research' }, admin, owner);
      const inResearch = await loginAs('admin@example.com', adminPassword, research.id);
      expect((await actorOf(inResearch.accessToken)).organizationId).toBe(research.id);
      expect((await services().organizations.ofUser(owner.id)).map((o) => o.id)).toEqual([defaultOrgId, research.id]);
      await expect(loginAs('ds@example.com', 'data scientist pw', research.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const researchOwner = await actorOf(inResearch.accessToken);
      const ds = await services().users.invite(researchOwner, 'ds@example.com', ['viewer']);
      const dsInResearch = await actorOf((await loginAs('ds@example.com', 'data scientist pw', research.id)).accessToken);
      expect(dsInResearch).toMatchObject({ id: ds.id, organizationId: research.id, roles: ['viewer'] });
      await expect(services().users.inOrganization(research.id, (await actorOf((await loginAs('victim@example.com', 'victim password 1')).accessToken)).id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await services().organizations.removeMember(researchOwner, ds.id);
      await expect(loginAs('ds@example.com', 'data scientist pw', research.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('issues API keys shown once, exchanges them for api_key tokens, and revokes them', async () => {
      const owner = await actorOf((await loginAs('admin@example.com', adminPassword)).accessToken);
      const machine = await services().users.create(owner, { email: 'ci-bot@example.com', name: 'CI bot', roles: ['ml-engineer'] });
      const { apiKey, secret } = await services().apiKeys.create(owner, { name: 'ci', userId: machine.id, roles: ['data-scientist'] });
      expect(secret).toMatch(/^aic_[A-Za-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
      expect(secret.slice(4, 16)).toBe(apiKey.prefix);
      expect(apiKey.secretHash).not.toContain(secret);
      expect(JSON.stringify(apiKey)).not.toContain(apiKey.secretHash);
      const token = await services().apiKeys.authenticate(secret);
      const actor = await actorOf(token.accessToken);
      expect(actor).toMatchObject({ id: machine.id, organizationId: defaultOrgId, kind: 'api_key', roles: ['data-scientist'] });
      expect(actor.permissions).toEqual([...BUILT_IN_ROLES['data-scientist'].permissions].sort());
      expect((await services().apiKeys.byId(defaultOrgId, apiKey.id)).lastUsedAt).toBeInstanceOf(Date);
      await expect(services().apiKeys.authenticate(secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A'))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(services().apiKeys.authenticate('aic_nope')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      const ds = await actorOf((await loginAs('ds@example.com', 'data scientist pw')).accessToken);
      await expect(services().apiKeys.create(ds, { name: 'mine' })).resolves.toMatchObject({ apiKey: { roles: ['data-scientist'] } });
      await expect(services().apiKeys.create(ds, { name: 'too strong', roles: ['admin'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(services().apiKeys.revoke(ds, apiKey.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await services().apiKeys.revoke(owner, apiKey.id);
      await expect(services().apiKeys.authenticate(secret)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      const types = (await services().em.find(AuditEvent, { targetId: apiKey.id })).map((e) => e.type);
      expect(types).toEqual(expect.arrayContaining(['apikey.created', 'apikey.used', 'apikey.rejected', 'apikey.revoked']));
    });

    it('rotates signing keys and publishes the old key until its tokens expire', async () => {
      const before = await loginAs('admin@example.com', adminPassword);
      const oldKid = decodeProtectedHeader(before.accessToken).kid;
      await runtime.keys.rotate(db.orm.em.fork());
      const after = await loginAs('admin@example.com', adminPassword);
      const newKid = decodeProtectedHeader(after.accessToken).kid;
      expect(newKid).not.toBe(oldKid);
      expect((await runtime.keys.jwks(db.orm.em.fork())).keys.map((k) => k.kid)).toEqual([newKid, oldKid]);
      expect((await runtime.keys.jwks(db.orm.em.fork())).keys.every((k) => k.d === undefined && k.alg === 'EdDSA')).toBe(true);
      await expect(actorOf(before.accessToken)).resolves.toMatchObject({ id: before.user.id });
      clock.advance(17 * 60 * 1000);
      expect((await runtime.keys.jwks(db.orm.em.fork())).keys.map((k) => k.kid)).toEqual([newKid]);
      await expect(actorOf(before.accessToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    });

    it('issues service tokens only for the right secret', async () => {
      await expect(services().serviceTokens.issue('wrong', { service: 'models', organizationId: defaultOrgId, permissions: ['catalog:read'] })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(services().serviceTokens.issue(SERVICE_SECRET, { service: 'models', organizationId: defaultOrgId, permissions: ['catalog:steal'] })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      const issued = await services().serviceTokens.issue(SERVICE_SECRET, { service: 'models', organizationId: defaultOrgId, permissions: ['catalog:read', 'models:read'] });
      expect(await actorOf(issued.accessToken)).toMatchObject({ id: 'service:models', organizationId: defaultOrgId, kind: 'service', permissions: ['catalog:read', 'models:read'], roles: [] });
    });

    it('pages the audit log newest first, scoped to one organization', async () => {
      const s = services();
      const page1 = await s.audit.query(defaultOrgId, {}, 5);
      expect(page1.events).toHaveLength(5);
      expect(page1.hasNextPage).toBe(true);
      const page2 = await s.audit.query(defaultOrgId, {}, 5, page1.endCursor);
      const ids = new Set([...page1.events, ...page2.events].map((e) => e.id));
      expect(ids.size).toBe(10);
      const all = [...page1.events, ...page2.events];
      for (let i = 1; i < all.length; i++) expect(all[i - 1].createdAt.getTime()).toBeGreaterThanOrEqual(all[i].createdAt.getTime());
      expect(all.every((e) => e.organizationId === defaultOrgId)).toBe(true);
      const failures = await s.audit.query(defaultOrgId, { types: ['login.failed'], success: false }, 50);
      expect(failures.events.length).toBeGreaterThan(0);
      expect(failures.events.every((e) => e.type === 'login.failed')).toBe(true);
      await expect(s.audit.query(defaultOrgId, {}, 0)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      await expect(s.audit.query(defaultOrgId, {}, 5, 'garbage')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    });
  });
}
