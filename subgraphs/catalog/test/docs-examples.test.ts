import fs from 'node:fs';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPubSub } from '../../../lib/src/index';
import { buildCatalogSchema } from '../src/schema';
import type { CatalogHarness } from './catalog.harness';
import { WRITER, startCatalog } from './catalog.harness';

const doc = fs.readFileSync(path.join(__dirname, '../../../docs/api/catalog.md'), 'utf8');
const blocks = [...doc.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
/** The guide's operation of that name. */
const operation = (name: string): string => {
  const found = blocks.find((b) => new RegExp(`(?:query|mutation|subscription) ${name}\\b`).test(b));
  if (!found) throw new Error(`docs/api/catalog.md has no operation ${name}`);
  return found;
};

describe('the API guide', () => {
  it('has only operations that are valid against the subgraph schema', async () => {
    const schema = await buildCatalogSchema(createPubSub({ prefix: 'docs' }));
    expect(blocks.length).toBeGreaterThan(15);
    for (const text of blocks) {
      const name = /(?:query|mutation|subscription) (\w+)/.exec(text)?.[1];
      expect(validate(schema, parse(text)).map((e) => `${name}: ${e.message}`)).toEqual([]);
    }
  });

  describe('the platform chain, run on a real catalog', () => {
    let h: CatalogHarness;
    beforeAll(async () => {
      h = await startCatalog();
    });
    afterAll(() => h?.stop());

    it('records the chain and walks it from the application and from the dataset', async () => {
      const token = await h.token({ org: 'org-docs-chain', perms: WRITER });
      const recorded = await h.gql(operation('RecordChain'), {}, token);
      expect(recorded.errors).toBeUndefined();
      const up = await h.gql(operation('ChainFromApplication'), {}, token);
      expect(up.errors).toBeUndefined();
      expect(up.data.lineage.nodes.map((n: any) => `${n.depth} ${n.node.namespace} ${n.node.name}`)).toEqual([
        '0 aic://apps applications/APPLICATION_ID',
        '1 aic://apps deploy/shop/production',
        '2 aic://inference endpoints/ENDPOINT_ID',
        '3 aic://inference deploy/churn-live',
        '4 aic://models model-versions/MODEL_VERSION_ID',
        '5 aic://models training/churn',
        '6 aic://catalog datasets/DATASET_ID',
      ]);
      expect(up.data.lineage.edges).toHaveLength(6);
      const down = await h.gql(operation('ChainFromDataset'), {}, token);
      expect(down.errors).toBeUndefined();
      expect(down.data.lineage.nodes.map((n: any) => `${n.depth} ${n.node.name}`)).toEqual([
        '0 datasets/DATASET_ID',
        '1 training/churn',
        '2 model-versions/MODEL_VERSION_ID',
        '3 deploy/churn-live',
        '4 endpoints/ENDPOINT_ID',
        '5 deploy/shop/production',
        '6 applications/APPLICATION_ID',
      ]);
      const any = await h.gql(operation('Lineage'), {}, token);
      expect(any.errors).toBeUndefined();
      expect(any.data.lineage.nodes.map((n: any) => n.node.name)).toContain('endpoints/ENDPOINT_ID');
    });
  });
});
