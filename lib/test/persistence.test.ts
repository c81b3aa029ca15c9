import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { gql, startService, testBaseConfig } from '../src/testing/harness';
import { testPostgresDatabase } from '../src/testing/postgres';
import type { TestIssuer } from '../src/testing/test-issuer';
import { startTestIssuer } from '../src/testing/test-issuer';
import { createTokenVerifier } from '../src/auth/token-verifier';
import { createContextFactory } from '../src/context';
import { createLogger } from '../src/logger';
import { createOrm } from '../src/orm';
import { Note, createNotesServer } from './fixtures/notes-subgraph';

let issuer: TestIssuer;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-persist-'));
const pg = testPostgresDatabase('aic_kit');

beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => {
  await issuer?.close();
  await pg.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

// The same entities and resolvers on the embedded SQLite file and on a real PostgreSQL: data
// written before a restart is there after it, and the boot-time schema sync is additive.
// MongoDB has no server on these machines: the driver path runs where MONGODB_URL names one.
const mongoUrl = process.env.MONGODB_URL;
if (!mongoUrl)
  console.log('persistence on MongoDB skipped: set MONGODB_URL (e.g. mongodb://127.0.0.1:27017/aic_test) to run it');

describe.each([
  ['SQLite file', () => undefined],
  ['PostgreSQL', () => pg.url],
  ...(mongoUrl ? [['MongoDB', () => mongoUrl] as [string, () => string]] : []),
])('persistence on %s', (_name, url) => {
  it('keeps data across a restart', async () => {
    const config = testBaseConfig('notes', {
      dataDir,
      databaseUrl: url(),
      auth: { jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience },
    });
    const token = await issuer.issue({ org: 'org-persist', perms: ['notes:read', 'notes:write'] });
    const first = await startService('notes', (await createNotesServer(config)).server);
    await gql(first.graphqlUrl, 'mutation { addNote(text: "kept") { id } }', {}, token);
    await first.stop();
    const second = await startService('notes', (await createNotesServer(config)).server);
    const res = await gql(second.graphqlUrl, '{ notes { text } }', {}, token);
    await second.stop();
    expect(res.data.notes).toEqual([{ text: 'kept' }]);
  });
});

describe('request context', () => {
  it('forks the EntityManager and makes the request logger only when a resolver uses them, once per request', async () => {
    const orm = await createOrm({ databaseUrl: ':memory:', dataDir, serviceName: 'ctx', entities: [Note] });
    try {
      const logger = createLogger('ctx', 'silent');
      const forks = vi.spyOn(orm.em, 'fork');
      const children = vi.spyOn(logger, 'child');
      const context = createContextFactory({
        orm,
        verify: createTokenVerifier({ jwksUrl: issuer.jwksUrl, issuer: issuer.issuer, audience: issuer.audience }),
        logger,
      });
      const token = await issuer.issue({ org: 'org-ctx', perms: [] });
      const ctx = Object.assign(await context({ authorization: `Bearer ${token}`, requestId: 'r-1', headers: {} }), {
        extra: 1,
      });
      expect(ctx.viewer?.organizationId).toBe('org-ctx');
      expect(forks).not.toHaveBeenCalled();
      expect(children).not.toHaveBeenCalled();
      // Apollo Server copies the context for each operation (ApolloServer.js cloneObject): still lazy.
      const copy = Object.assign(Object.create(Object.getPrototypeOf(ctx)), ctx) as typeof ctx;
      expect(copy.viewer?.organizationId).toBe('org-ctx');
      expect(copy.extra).toBe(1);
      expect(forks).not.toHaveBeenCalled();
      expect(children).not.toHaveBeenCalled();
      expect(ctx.em).toBe(ctx.em);
      expect(await ctx.em.count(Note, {})).toBe(0);
      expect(forks).toHaveBeenCalledTimes(1);
      ctx.logger.info('hello');
      expect(ctx.logger).toBe(ctx.logger);
      expect(children).toHaveBeenCalledTimes(1);
      expect(children).toHaveBeenCalledWith({ requestId: 'r-1' });
    } finally {
      await orm.close();
    }
  });
});
