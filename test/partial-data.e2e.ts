// One subgraph down erases only its own root fields: the rest of the answer still arrives (#20).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Platform } from './support/platform';
import { startPlatform } from './support/platform';

let platform: Platform;

beforeAll(async () => {
  platform = await startPlatform({ only: ['catalog', 'models'], gateway: { subgraphRetries: 0 } });
});

afterAll(async () => {
  await platform?.stop();
});

describe('partial data', () => {
  it('answers the other root fields when catalog is down, null and an error naming catalog for its own', async () => {
    const query = '{ me { id } datasets(first: 1) { totalCount } models { id } }';
    const before = await platform.call(query, {}, platform.owner.token);
    expect(before.errors).toBeUndefined();
    expect(before.data).toEqual({ me: { id: expect.any(String) }, datasets: { totalCount: 0 }, models: [] });

    await platform.services.catalog!.stop();
    // Twice: the second request of an operation may take the pass-through path (not for this one: two subgraphs).
    for (let i = 0; i < 2; i++) {
      const answer = await platform.call(query, {}, platform.owner.token);
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ me: before.data.me, datasets: null, models: [] });
      expect(answer.errors).toEqual([
        expect.objectContaining({
          message: 'catalog is unavailable',
          extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'catalog' }),
        }),
      ]);
    }
    // An operation of catalog alone: planned, then on the pass-through path, the same answer naming catalog.
    const alone = [];
    for (let i = 0; i < 2; i++)
      alone.push(await platform.call('{ datasets(first: 1) { totalCount } }', {}, platform.owner.token));
    expect(alone[1]!.body).toEqual(alone[0]!.body);
    expect(alone[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', serviceName: 'catalog' });
  });
});
