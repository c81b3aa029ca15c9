import fs from 'node:fs';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createPubSub } from '../../../lib/src/index';
import { buildCatalogSchema } from '../src/schema';

const doc = fs.readFileSync(path.join(__dirname, '../../../docs/api/catalog.md'), 'utf8');
const blocks = [...doc.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('the API guide', () => {
  it('has only operations that are valid against the subgraph schema', async () => {
    const schema = await buildCatalogSchema(createPubSub({ prefix: 'docs' }));
    expect(blocks.length).toBeGreaterThan(15);
    for (const text of blocks) {
      const name = /(?:query|mutation|subscription) (\w+)/.exec(text)?.[1];
      expect(validate(schema, parse(text)).map((e) => `${name}: ${e.message}`)).toEqual([]);
    }
  });
});
