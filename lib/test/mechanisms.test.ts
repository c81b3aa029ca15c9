import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { GraphQLObjectType } from 'graphql';
import { buildSchema, graphql } from 'graphql';
import { afterAll, assert, describe, expect, it } from 'vitest';
import { applyPermissions, hasPermission, isAuthenticated, isPublic, sameOrganization } from '../src/auth/rules';
import { PayloadTooLargeError, createFileArtifactStore } from '../src/artifacts';
import { createPubSub } from '../src/pubsub';
import { skipWithoutRedis, TEST_REDIS } from '../src/testing/redis';
import { waitFor } from '../src/testing/wait-for';
import { createWorkerPool } from '../src/worker-pool';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-mech-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function firstEvents(iterable: AsyncIterable<unknown>, n: number): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of iterable) {
    out.push(v);
    if (out.length === n) break;
  }
  return out;
}

describe('artifact store', () => {
  it('stores content-addressed, dedupes, and keeps nothing over the limit', async () => {
    const store = createFileArtifactStore(path.join(dir, 'a'));
    const bytes = Buffer.from('hello artifacts');
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(await store.put(Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]))).toEqual({
      sha256: sha,
      size: bytes.length,
    });
    expect(await store.put(bytes)).toEqual({ sha256: sha, size: bytes.length });
    expect((await store.read(sha)).equals(bytes)).toBe(true);
    await expect(store.put(Buffer.alloc(101), { maxBytes: 100 })).rejects.toBeInstanceOf(PayloadTooLargeError);
    expect(fs.readdirSync(path.join(dir, 'a', 'tmp'))).toEqual([]);
    await expect(store.read('0'.repeat(64))).rejects.toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});

describe('worker pool', () => {
  it('bounds concurrency, runs everything, and cancels through the signal', async () => {
    const pool = createWorkerPool({ concurrency: 2 });
    let peak = 0;
    let active = 0;
    const finished: string[] = [];
    // Each task holds its place until the test opens its gate.
    const gates: (() => void)[] = [];
    const task = (id: string) => async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise<void>((open) => gates.push(open));
      active--;
      finished.push(id);
    };
    for (const id of ['a', 'b', 'c', 'd']) expect(pool.submit(id, task(id))).toBe(true);
    expect(pool.submit('a', task('a'))).toBe(false);
    let aborted = false;
    let longStarted = false;
    pool.submit(
      'long',
      (signal) =>
        new Promise<void>(
          (resolve) => ((longStarted = true), signal.addEventListener('abort', () => ((aborted = true), resolve()))),
        ),
    );
    // Two run while the others wait for a place; each pair finishes when the test opens its gates.
    for (const pair of ['a and b', 'c and d']) {
      await waitFor(() => gates.length === 2, `${pair} to run`);
      expect(active).toBe(2);
      gates.splice(0).forEach((open) => open());
    }
    await waitFor(() => longStarted, 'the long task to start');
    expect(pool.cancel('long')).toBe(true);
    await pool.close();
    expect(peak).toBe(2);
    expect(finished.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(aborted).toBe(true);
  });
});

describe('pub/sub', () => {
  for (const backend of ['memory', 'redis'] as const) {
    it.skipIf(backend === 'redis' && skipWithoutRedis('the Redis pub/sub test is'))(
      `delivers to subscribers of a topic and per-id topics (${backend})`,
      async () => {
        const ps = createPubSub({
          prefix: `test-${randomUUID()}`,
          redisUrl: backend === 'redis' ? TEST_REDIS : undefined,
        });
        const all = firstEvents(ps.subscribe('JOB'), 2);
        const one = firstEvents(ps.subscribe('JOB', 'j2'), 1);
        await new Promise((r) => setTimeout(r, backend === 'redis' ? 200 : 0));
        ps.publish('JOB', { n: 1 });
        ps.publish('JOB', 'j2', { n: 2 });
        ps.publish('JOB', { n: 3 });
        expect(await all).toEqual([{ n: 1 }, { n: 3 }]);
        expect(await one).toEqual([{ n: 2 }]);
        await ps.close();
      },
    );
  }
});

describe('permissions', () => {
  const base = () => {
    const schema = buildSchema(
      `type Query { items: [Item!]! secret: String open: String account: Account }  type Item { name: String! organizationId: String! }  type Account { id: ID! organizationId: String! }`,
    );
    const resolvers: Record<string, () => unknown> = {
      items: () => [{ name: 'a', organizationId: 'org-1' }],
      secret: () => 'hidden',
      open: () => 'hello',
      account: () => ({ id: 'acc-1', organizationId: 'org-2' }),
    };
    for (const [name, field] of Object.entries((schema.getType('Query') as GraphQLObjectType).getFields()))
      field.resolve = resolvers[name];
    return schema;
  };
  const viewer = (perms: string[]) => ({
    viewer: { id: 'u', organizationId: 'org-1', roles: [], permissions: perms, kind: 'user' as const },
  });

  it('denies root fields without a rule, applies field and whole-type rules, and leaves unguarded fields unwrapped', async () => {
    const schema = applyPermissions(base(), {
      Query: { items: hasPermission('items:read'), open: isPublic, account: isAuthenticated },
      Account: sameOrganization,
    });
    const run = async (query: string, ctx: object) =>
      JSON.parse(JSON.stringify(await graphql({ schema, source: query, contextValue: ctx })));
    expect((await run('{ items { name } }', viewer(['items:read']))).data).toEqual({ items: [{ name: 'a' }] });
    expect((await run('{ items { name } }', viewer([]))).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await run('{ secret }', viewer(['items:read']))).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await run('{ open }', { viewer: null })).data).toEqual({ open: 'hello' });
    const other = await run('{ account { id } }', viewer([]));
    expect(other.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(other.errors[0].path).toEqual(['account', 'id']);
    // No rule, no wrapper: the field's value is not turned into an awaited rule check.
    const item = schema.getType('Item') as GraphQLObjectType;
    const name = item.getFields().name;
    assert.isDefined(name);
    expect(name.resolve).toBeUndefined();
    const open = (schema.getType('Query') as GraphQLObjectType).getFields().open?.resolve;
    assert.isDefined(open);
    expect(open({}, {}, {}, {} as any)).toBe('hello');
  });

  it('refuses a rule for a type the schema does not have', () => {
    expect(() => applyPermissions(base(), { Nothing: isAuthenticated })).toThrow(/Nothing/);
  });
});
