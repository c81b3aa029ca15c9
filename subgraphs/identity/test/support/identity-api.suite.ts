import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { createTokenVerifier } from '../../../../lib/src/auth/token-verifier';
import { createServiceTokenSource } from '../../../../lib/src/service-client';
import { gql } from '../../../../lib/src/testing/harness';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startIdentity, type TestIdentity } from './test-server';
import { SERVICE_SECRET } from './test-settings';

const codeOf = (res: { errors?: any[] }) => res.errors?.[0]?.extensions?.code;

/** Identity's GraphQL API and REST routes over HTTP, the same on every database. */
export function describeIdentityApi(
  driver: string,
  database: () => Promise<{ url?: string; drop(): Promise<void> }>,
  enabled = true,
): void {
  describe.skipIf(!enabled)(`identity API on ${driver}`, () => {
    let svc: TestIdentity;
    let db: { url?: string; drop(): Promise<void> };
    let owner: string;
    const run = (query: string, variables: Record<string, unknown> = {}, token?: string) =>
      gql(svc.graphqlUrl, query, variables, token);

    beforeAll(async () => {
      db = await database();
      svc = await startIdentity({ databaseUrl: db.url });
      owner = (await svc.login()).accessToken;
    });
    afterAll(async () => {
      await svc?.stop();
      await db?.drop();
    });

    it('signs in and answers me with roles and permissions', async () => {
      const res = await run(
        '{ me { email roles permissions organizations { slug } } organization { slug roles { name permissions } } }',
        {},
        owner,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.me).toMatchObject({ email: ADMIN_EMAIL, roles: ['owner'], organizations: [{ slug: 'default' }] });
      expect(res.data.me.permissions).toContain('audit:read');
      const viewer = res.data.organization.roles.find((r: { name: string }) => r.name === 'viewer');
      expect(viewer.permissions).toEqual(expect.arrayContaining(['models:read', 'catalog:read']));
      expect(viewer.permissions).not.toContain('catalog:read-pii');
    });

    it('answers a login payload for the user who just signed in', async () => {
      const res = await run(
        'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { expiresIn tokenType user { email roles } organization { slug roles { name } } } }',
        { e: ADMIN_EMAIL, p: ADMIN_PASSWORD },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.login).toMatchObject({
        expiresIn: 900,
        tokenType: 'Bearer',
        user: { email: ADMIN_EMAIL, roles: ['owner'] },
        organization: { slug: 'default' },
      });
      expect(res.data.login.organization.roles).toHaveLength(5);
    });

    it('refuses anonymous and bad-token callers', async () => {
      expect(codeOf(await run('{ me { id } }'))).toBe('UNAUTHENTICATED');
      const bad = await run('{ me { id } }', {}, 'not.a.token');
      expect(bad.status).toBe(401);
      expect(codeOf(bad)).toBe('UNAUTHENTICATED');
    });

    it('gives the same answer for a wrong password and an unknown email', async () => {
      const q = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
      const wrong = await run(q, { e: ADMIN_EMAIL, p: 'wrong password' });
      const unknown = await run(q, { e: 'ghost@example.com', p: 'wrong password' });
      expect(wrong.errors).toEqual(unknown.errors);
      expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    });

    it('lets an owner create a viewer, who may read but not create users', async () => {
      const created = await run(
        'mutation { createUser(input: { email: "viewer@example.com", name: "Vi", password: "viewer password", roles: ["viewer"] }) { id email roles } }',
        {},
        owner,
      );
      expect(created.data.createUser).toMatchObject({ email: 'viewer@example.com', roles: ['viewer'] });
      const viewer = (await svc.login('viewer@example.com', 'viewer password')).accessToken;
      expect((await run('{ users { email } }', {}, viewer)).data.users.map((u: { email: string }) => u.email)).toEqual([
        ADMIN_EMAIL,
        'viewer@example.com',
      ]);
      const denied = await run(
        'mutation { createUser(input: { email: "x@example.com", name: "X", password: "some password" }) { id } }',
        {},
        viewer,
      );
      expect(codeOf(denied)).toBe('FORBIDDEN');
      expect(codeOf(await run('{ auditLog { nodes { id } } }', {}, viewer))).toBe('FORBIDDEN');
      const badInput = await run(
        'mutation { createUser(input: { email: "nope", name: "X", password: "some password" }) { id } }',
        {},
        owner,
      );
      expect(badInput.errors?.[0].extensions).toEqual({
        code: 'BAD_USER_INPUT',
        fields: [{ field: 'email', message: 'Not a valid email address' }],
      });
    });

    it('rotates refresh tokens, detects reuse and revokes the family', async () => {
      const first = await svc.login();
      const q = 'mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
      const second = (await run(q, { t: first.refreshToken })).data.refreshToken;
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(decodeJwt(second.accessToken).sid).toBe(decodeJwt(first.accessToken).sid);
      expect(codeOf(await run(q, { t: first.refreshToken }))).toBe('UNAUTHENTICATED');
      expect(codeOf(await run(q, { t: second.refreshToken }))).toBe('UNAUTHENTICATED');
      const log = await run(
        'query($f: SecurityEventFilter) { auditLog(filter: $f) { nodes { type targetId } } }',
        { f: { types: ['token.family-revoked'] } },
        owner,
      );
      expect(log.data.auditLog.nodes).toContainEqual({
        type: 'token.family-revoked',
        targetId: decodeJwt(first.accessToken).sid,
      });
    });

    it('lists and revokes sessions, and logs out', async () => {
      const a = await svc.login();
      const sid = decodeJwt(a.accessToken).sid;
      const list = await run('{ sessions { id current method user { email } } }', {}, a.accessToken);
      expect(list.data.sessions).toContainEqual({
        id: sid,
        current: true,
        method: 'password',
        user: { email: ADMIN_EMAIL },
      });
      const viewer = await svc.login('viewer@example.com', 'viewer password');
      expect(
        codeOf(await run('mutation($id: ID!) { revokeSession(id: $id) { id } }', { id: sid }, viewer.accessToken)),
      ).toBe('FORBIDDEN');
      const revoked = await run(
        'mutation($id: ID!) { revokeSession(id: $id) { id revokedAt revokedReason } }',
        { id: decodeJwt(viewer.accessToken).sid },
        owner,
      );
      expect(revoked.data.revokeSession.revokedReason).toBe('revoked');
      expect(
        codeOf(
          await run('mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', {
            t: viewer.refreshToken,
          }),
        ),
      ).toBe('UNAUTHENTICATED');
      expect((await run('mutation { logout }', {}, a.accessToken)).data.logout).toBe(true);
      const after = await run('{ me { id } }', {}, a.accessToken);
      expect(after.status).toBe(401);
      expect(codeOf(after)).toBe('UNAUTHENTICATED');
      expect(
        codeOf(
          await run('mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', { t: a.refreshToken }),
        ),
      ).toBe('UNAUTHENTICATED');
    });

    it('issues an API key once, exchanges it for a token that works, and revokes it', async () => {
      const created = await run(
        'mutation { createApiKey(input: { name: "ci", roles: ["viewer"] }) { secret apiKey { id prefix roles active user { email } } } }',
        {},
        owner,
      );
      const { secret, apiKey } = created.data.createApiKey;
      expect(apiKey).toMatchObject({ roles: ['viewer'], active: true, user: { email: ADMIN_EMAIL } });
      const listed = await run('{ apiKeys { id prefix lastUsedAt } }', {}, owner);
      expect(JSON.stringify(listed.data)).not.toContain(secret);
      const exchanged = await run(
        'mutation($k: String!) { authenticateApiKey(key: $k) { accessToken expiresIn tokenType } }',
        { k: secret },
      );
      expect(exchanged.data.authenticateApiKey).toMatchObject({ expiresIn: 900, tokenType: 'Bearer' });
      const token = exchanged.data.authenticateApiKey.accessToken;
      expect(decodeJwt(token)).toMatchObject({ kind: 'api_key', roles: ['viewer'] });
      expect((await run('{ me { email } }', {}, token)).data.me.email).toBe(ADMIN_EMAIL);
      expect(
        codeOf(await run('mutation { createUser(input: { email: "k@example.com", name: "K" }) { id } }', {}, token)),
      ).toBe('FORBIDDEN');
      await run('mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: apiKey.id }, owner);
      expect(
        codeOf(await run('mutation($k: String!) { authenticateApiKey(key: $k) { accessToken } }', { k: secret })),
      ).toBe('UNAUTHENTICATED');
    });

    it('manages custom roles and role assignment', async () => {
      const users = (await run('{ users { id email } }', {}, owner)).data.users;
      const viewerId = users.find((u: { email: string }) => u.email === 'viewer@example.com').id;
      const role = await run(
        'mutation { createRole(input: { name: "annotator", permissions: ["catalog:read", "catalog:write"] }) { id name builtIn permissions } }',
        {},
        owner,
      );
      expect(role.data.createRole).toMatchObject({
        name: 'annotator',
        builtIn: false,
        permissions: ['catalog:read', 'catalog:write'],
      });
      const assigned = await run(
        'mutation($u: ID!) { assignRole(userId: $u, role: "annotator") { roles } }',
        { u: viewerId },
        owner,
      );
      expect(assigned.data.assignRole.roles).toEqual(['annotator', 'viewer']);
      const viewer = (await svc.login('viewer@example.com', 'viewer password')).accessToken;
      expect(decodeJwt(viewer).perms).toContain('catalog:write');
      expect(
        codeOf(
          await run('mutation($u: ID!) { assignRole(userId: $u, role: "admin") { id } }', { u: viewerId }, viewer),
        ),
      ).toBe('FORBIDDEN');
      expect(
        (await run('mutation($u: ID!) { revokeRole(userId: $u, role: "annotator") { roles } }', { u: viewerId }, owner))
          .data.revokeRole.roles,
      ).toEqual(['viewer']);
      expect(
        codeOf(await run('mutation($u: ID!) { assignRole(userId: $u, role: "ghost") { id } }', { u: viewerId }, owner)),
      ).toBe('BAD_USER_INPUT');
    });

    it('ends sessions and API keys of a removed member for good', async () => {
      const created = await run(
        'mutation { createUser(input: { email: "leaver@example.com", name: "Leaver", password: "leaver password", roles: ["ml-engineer"] }) { id } }',
        {},
        owner,
      );
      const leaverId = created.data.createUser.id;
      const leaver = await svc.login('leaver@example.com', 'leaver password');
      const key = (
        await run('mutation { createApiKey(input: { name: "leaver-key" }) { secret } }', {}, leaver.accessToken)
      ).data.createApiKey.secret;
      expect(
        (await run('mutation($u: ID!) { removeMember(userId: $u) }', { u: leaverId }, owner)).data.removeMember,
      ).toBe(true);
      expect(codeOf(await run('{ me { id } }', {}, leaver.accessToken))).toBe('UNAUTHENTICATED');
      expect(
        codeOf(
          await run('mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', {
            t: leaver.refreshToken,
          }),
        ),
      ).toBe('UNAUTHENTICATED');
      await run('mutation { inviteUser(input: { email: "leaver@example.com", roles: ["viewer"] }) { id } }', {}, owner);
      expect(
        codeOf(await run('mutation($k: String!) { authenticateApiKey(key: $k) { accessToken } }', { k: key })),
      ).toBe('UNAUTHENTICATED');
    });

    it('changes a password and ends the other sessions', async () => {
      await run(
        'mutation { createUser(input: { email: "mover@example.com", name: "Mover", password: "old password 1" }) { id } }',
        {},
        owner,
      );
      const laptop = await svc.login('mover@example.com', 'old password 1');
      const phone = await svc.login('mover@example.com', 'old password 1');
      const wrong = await run(
        'mutation { changePassword(currentPassword: "nope nope", newPassword: "new password 2") }',
        {},
        laptop.accessToken,
      );
      expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
      const short = await run(
        'mutation { changePassword(currentPassword: "old password 1", newPassword: "short") }',
        {},
        laptop.accessToken,
      );
      expect(short.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ field: 'newPassword' }],
      });
      expect(
        (
          await run(
            'mutation { changePassword(currentPassword: "old password 1", newPassword: "new password 2") }',
            {},
            laptop.accessToken,
          )
        ).data.changePassword,
      ).toBe(true);
      expect((await run('{ me { email } }', {}, laptop.accessToken)).data.me.email).toBe('mover@example.com');
      expect(codeOf(await run('{ me { email } }', {}, phone.accessToken))).toBe('UNAUTHENTICATED');
      await expect(svc.login('mover@example.com', 'old password 1')).rejects.toThrow();
      await expect(svc.login('mover@example.com', 'new password 2')).resolves.toBeTruthy();
    });

    it('deletes custom roles but never built-in ones', async () => {
      const roles = (await run('{ roles { id name builtIn } }', {}, owner)).data.roles;
      const viewerRole = roles.find((r: { name: string }) => r.name === 'viewer');
      expect(codeOf(await run('mutation($id: ID!) { deleteRole(id: $id) { id } }', { id: viewerRole.id }, owner))).toBe(
        'CONFLICT',
      );
      const temp = (
        await run(
          'mutation { createRole(input: { name: "temp-role", permissions: ["models:read"] }) { id } }',
          {},
          owner,
        )
      ).data.createRole;
      expect(
        (await run('mutation($id: ID!) { deleteRole(id: $id) { name } }', { id: temp.id }, owner)).data.deleteRole.name,
      ).toBe('temp-role');
      expect(codeOf(await run('mutation($id: ID!) { deleteRole(id: $id) { name } }', { id: temp.id }, owner))).toBe(
        'NOT_FOUND',
      );
    });

    it('keeps organizations apart', async () => {
      const org = await run(
        'mutation { createOrganization(input: { slug: "lab", name: "Lab" }) { id slug } }',
        {},
        owner,
      );
      const labId = org.data.createOrganization.id;
      const inLab = (await svc.login(ADMIN_EMAIL, ADMIN_PASSWORD, labId)).accessToken;
      expect((await run('{ organization { slug } users { email } }', {}, inLab)).data).toEqual({
        organization: { slug: 'lab' },
        users: [{ email: ADMIN_EMAIL }],
      });
      const viewerId = (await run('{ users { id email } }', {}, owner)).data.users.find(
        (u: { email: string }) => u.email === 'viewer@example.com',
      ).id;
      expect(codeOf(await run('query($id: ID!) { user(id: $id) { email } }', { id: viewerId }, inLab))).toBe(
        'NOT_FOUND',
      );
      expect(
        codeOf(
          await run(
            'mutation($o: ID) { login(email: "viewer@example.com", password: "viewer password", organizationId: $o) { accessToken } }',
            { o: labId },
          ),
        ),
      ).toBe('FORBIDDEN');
      expect(
        (await run('{ organizations { slug } }', {}, inLab)).data.organizations.map((o: { slug: string }) => o.slug),
      ).toEqual(['default', 'lab']);
      const labLog = await run('{ auditLog(first: 200) { nodes { type } } }', {}, inLab);
      expect(labLog.data.auditLog.nodes.every((n: { type: string }) => !n.type.startsWith('apikey'))).toBe(true);
    });

    it('pages the audit log for admins', async () => {
      const page1 = await run(
        '{ auditLog(first: 3) { nodes { id type createdAt } pageInfo { endCursor hasNextPage } } }',
        {},
        owner,
      );
      expect(page1.data.auditLog.nodes).toHaveLength(3);
      expect(page1.data.auditLog.pageInfo.hasNextPage).toBe(true);
      const page2 = await run(
        'query($a: String) { auditLog(first: 3, after: $a) { nodes { id } } }',
        { a: page1.data.auditLog.pageInfo.endCursor },
        owner,
      );
      const ids = [...page1.data.auditLog.nodes, ...page2.data.auditLog.nodes].map((n: { id: string }) => n.id);
      expect(new Set(ids).size).toBe(6);
      const types = (await run('{ auditLog(first: 200) { nodes { type } } }', {}, owner)).data.auditLog.nodes.map(
        (n: { type: string }) => n.type,
      );
      expect(types).toEqual(
        expect.arrayContaining([
          'login.succeeded',
          'login.failed',
          'user.created',
          'role.assigned',
          'apikey.created',
          'apikey.revoked',
          'session.revoked',
        ]),
      );
    });

    it('publishes a JWKS of public Ed25519 keys only', async () => {
      const res = await fetch(`${svc.url}/.well-known/jwks.json`);
      const jwks = (await res.json()) as { keys: Record<string, string>[] };
      expect(jwks.keys.length).toBeGreaterThan(0);
      for (const key of jwks.keys) {
        expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
        expect(key.d).toBeUndefined();
      }
    });

    it('counts security events for Prometheus', async () => {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      expect(text).toMatch(
        /identity_security_events_total\{type="login.failed",success="false",service="identity"\} [1-9]/,
      );
      expect(text).toMatch(
        /identity_security_events_total\{type="token.family-revoked",success="false",service="identity"\} 1/,
      );
    });

    it('issues service tokens for the service secret only', async () => {
      const orgId = decodeJwt(owner).org as string;
      const post = (secret: string | null, body: unknown) =>
        fetch(`${svc.url}/internal/service-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(secret ? { 'x-aic-service-secret': secret } : {}) },
          body: JSON.stringify(body),
        });
      expect(
        (await post(null, { service: 'models', organizationId: orgId, permissions: ['catalog:read'] })).status,
      ).toBe(401);
      expect(
        (await post('wrong', { service: 'models', organizationId: orgId, permissions: ['catalog:read'] })).status,
      ).toBe(401);
      expect(
        (await post(SERVICE_SECRET, { service: 'models', organizationId: orgId, permissions: ['catalog:own'] })).status,
      ).toBe(400);
      const ok = await post(SERVICE_SECRET, {
        service: 'models',
        organizationId: orgId,
        permissions: ['catalog:read'],
      });
      const body = (await ok.json()) as { accessToken: string; expiresIn: number };
      expect(body.expiresIn).toBe(900);
      expect(decodeJwt(body.accessToken)).toMatchObject({
        sub: 'service:models',
        org: orgId,
        kind: 'service',
        perms: ['catalog:read'],
      });
    });

    it("gives a job the user's delegated token through the lib token source, and refuses it by name", async () => {
      const orgId = decodeJwt(owner).org as string;
      const created = await run(
        'mutation { createUser(input: { email: "job-starter@example.com", name: "Jo", password: "starter password", roles: ["viewer"] }) { id } }',
        {},
        owner,
      );
      const userId = created.data.createUser.id as string;
      const tokens = createServiceTokenSource({ identityUrl: svc.url, service: 'synthetic', secret: SERVICE_SECRET });
      const token = await tokens.getToken(orgId, ['catalog:read'], { onBehalfOf: userId });
      // Every service's verifier (lib) sees the user, with the service as the actor.
      const verify = createTokenVerifier({
        jwksUrl: `${svc.url}/.well-known/jwks.json`,
        issuer: svc.config.auth.issuer,
        audience: svc.config.auth.audience,
        cache: false,
      });
      expect(await verify(token)).toMatchObject({
        id: userId,
        organizationId: orgId,
        kind: 'user',
        actor: 'service:synthetic',
        permissions: ['catalog:read'],
      });
      // A viewer cannot read PII: the job's error names the permission, not a route or URL.
      const refused = await tokens.getToken(orgId, ['catalog:read', 'catalog:read-pii'], { onBehalfOf: userId }).then(
        () => undefined,
        (e: Error & { extensions?: { code?: string } }) => e,
      );
      expect(refused?.extensions?.code).toBe('FORBIDDEN');
      expect(refused?.message).toBe('The user who started this work lacks the permission catalog:read-pii');
    });
  });
}
