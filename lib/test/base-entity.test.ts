import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testPostgresDatabase } from '../src/testing/postgres';
import { POSTGRES_REACHABLE } from '../src/testing/postgres';
import { describeBaseEntities } from './fixtures/base-entity.fixture';

const REPO_ROOT = path.resolve(__dirname, '../..');
const PG_REACHABLE = POSTGRES_REACHABLE;
const pg = PG_REACHABLE ? testPostgresDatabase('aic_base_entity') : undefined;
afterAll(async () => pg?.drop());

const fieldsOf = (sdl: string, type: string): string[] => {
  const block = new RegExp(`type ${type}[^{]*\\{([^}]*)\\}`).exec(sdl)?.[1] ?? '';
  return block
    .split('\n')
    .map((l) => l.trim().split(/[(:]/)[0] ?? '')
    .filter(Boolean);
};

describe('lib base entities', () => {
  it('give id first in GraphQL, keep re-declared fields where the subclass puts them, and add no types of their own', async () => {
    const { sdl } = await describeBaseEntities(':memory:');
    expect(fieldsOf(sdl, 'BaseFixtureThing')).toEqual(['id', 'name', 'createdAt', 'size', 'updatedAt']);
    expect(fieldsOf(sdl, 'BaseFixtureNote')).toEqual(['id', 'body', 'at']);
    expect(sdl).not.toMatch(/PlatformEntity|OrganizationEntity|TrackedOrganizationEntity|organizationId|Plain/);
  });

  it.each([['sqlite', ':memory:'], ...(pg ? [['postgresql', pg.url]] : [])])(
    'map the shared columns and write, update and read rows on %s',
    async (_label, url) => {
      const d = await describeBaseEntities(url);
      const shared = (c: Record<string, [string, string, boolean, boolean]> | undefined) => ({
        id: c?.id?.[0],
        createdAt: c?.createdAt?.[0],
        organizationId: c?.organizationId?.[0],
        updatedAt: c?.updatedAt?.[0],
      });
      expect(shared(d.columns.Thing)).toEqual({
        id: 'id',
        createdAt: 'created_at',
        organizationId: 'organization_id',
        updatedAt: 'updated_at',
      });
      expect(shared(d.columns.Note)).toEqual({
        id: 'id',
        createdAt: 'at',
        organizationId: 'organization_id',
        updatedAt: undefined,
      });
      expect(shared(d.columns.Plain)).toEqual({
        id: 'id',
        createdAt: 'created_at',
        organizationId: undefined,
        updatedAt: undefined,
      });
      for (const c of Object.values(d.columns)) {
        expect(c.id?.slice(2)).toEqual([false, true]);
        expect(c.createdAt?.[2]).toBe(false);
      }
      expect(d.roundTrip).toEqual({
        idIsUuid: true,
        createdAtSet: true,
        updatedAtMoved: true,
        createdAtKept: true,
        noteAtRead: true,
        plainReadBack: true,
      });
    },
  );

  it('behave the same under tsx (esbuild, no decorator metadata) as under vitest', async () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'fixtures/base-entity.fixture.ts')],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(await describeBaseEntities(':memory:'));
  });
});
