import fs from 'node:fs';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildIdentitySchema } from '../src/schema';

describe('examples.graphql', () => {
  it('holds only operations that are valid against the identity schema', async () => {
    const document = parse(fs.readFileSync(path.join(__dirname, '..', 'examples.graphql'), 'utf8'));
    expect(document.definitions.length).toBeGreaterThan(10);
    expect(validate(await buildIdentitySchema(), document).map((e) => e.message)).toEqual([]);
  });
});
