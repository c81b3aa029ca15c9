// Issue #19: profiling has a completion event. `datasetVersionStatusChanged` tells a subscriber when a
// version it can see finished profiling (READY with its row count, FAILED with why), over graphql-ws
// on the real catalog service; other organizations hear nothing.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CatalogHarness } from './catalog.harness';
import { WRITER, createWithContent, startCatalog, uploadVersion } from './catalog.harness';

let h: CatalogHarness;
beforeAll(async () => {
  h = await startCatalog();
});
afterAll(async () => h?.stop());

const SUBSCRIPTION =
  'subscription($d: ID) { datasetVersionStatusChanged(datasetId: $d) { datasetId versionId version status error rowCount } }';

function subscribe(token: string, datasetId?: string) {
  const client = createClient({
    url: h.service.graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  const events: any[] = [];
  const errors: unknown[] = [];
  client.subscribe(
    { query: SUBSCRIPTION, variables: { d: datasetId ?? null } },
    {
      next: (v) => events.push((v.data as any)?.datasetVersionStatusChanged),
      error: (e) => errors.push(e),
      complete: () => undefined,
    },
  );
  return { events, errors, close: () => client.dispose() };
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('datasetVersionStatusChanged', () => {
  it('announces READY and FAILED versions to subscribers who can see the dataset, and no one else', async () => {
    const token = await h.token({ org: 'org-events', perms: WRITER });
    const outsiderToken = await h.token({ org: 'org-events-other', perms: WRITER });
    const { id } = await createWithContent(h, token, { name: 'events', format: 'CSV' }, 'a,b\n1,2\n');
    const mine = subscribe(token, id);
    const all = subscribe(token);
    const outsider = subscribe(outsiderToken);
    try {
      // graphql-ws subscribes asynchronously: add versions until the first announcement arrives.
      const deadline = Date.now() + 40_000;
      while (mine.events.length === 0 && Date.now() < deadline) {
        await uploadVersion(h, token, id, 'a,b\n1,2\n3,4\n5,6\n', 'text/csv');
        await until(() => mine.events[0], 'an announcement', 1_000).catch(() => undefined);
      }
      const first = mine.events[0];
      expect(first).toMatchObject({ datasetId: id, status: 'READY', error: null, rowCount: 3 });
      expect(first.version).toBeGreaterThan(1);
      await until(
        () => (all.events.some((e) => e.versionId === first.versionId) ? true : undefined),
        'the org-wide one',
      );

      // Content that is not CSV: the version FAILS, and the subscriber is told why.
      await expect(uploadVersion(h, token, id, 'a,b\n"unterminated\n', 'text/csv')).rejects.toThrow();
      const failed = await until(() => mine.events.find((e) => e.status === 'FAILED'), 'the FAILED announcement');
      expect(failed).toMatchObject({ datasetId: id, rowCount: null });
      expect(failed.error).toMatch(/not valid CSV/);
      expect(outsider.events).toEqual([]);
      expect([...mine.errors, ...all.errors, ...outsider.errors]).toEqual([]);
    } finally {
      await Promise.all([mine.close(), all.close(), outsider.close()]);
    }
  }, 60_000);
});
