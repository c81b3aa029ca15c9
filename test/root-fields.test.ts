// Root Query fields are nullable, so one subgraph's outage (or a NOT_FOUND) nulls its own fields and
// never climbs to `data: null`, erasing what the other subgraphs answered.
import fs from 'node:fs';
import path from 'node:path';
import type { ObjectTypeDefinitionNode } from 'graphql';
import { Kind, parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

/** Root Query fields allowed to stay non-null, each with the reason (none today). */
const NON_NULL_ROOT_FIELDS: Record<string, string> = {};

describe('root Query fields', () => {
  it('are nullable, or listed with the reason they may not be', () => {
    const doc = parse(fs.readFileSync(path.join(root, 'supergraph.graphql'), 'utf8'));
    const query = doc.definitions.find(
      (d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === 'Query',
    );
    const fields = query?.fields ?? [];
    expect(fields.length).toBeGreaterThan(40);
    const nonNull = fields
      .filter((f) => f.type.kind === Kind.NON_NULL_TYPE && !(f.name.value in NON_NULL_ROOT_FIELDS))
      .map((f) => `${f.name.value}: ${print(f.type)}`);
    expect(nonNull).toEqual([]);
    // Every listed exception is still a root field (a stale list hides nothing).
    const names = new Set(fields.map((f) => f.name.value));
    expect(Object.keys(NON_NULL_ROOT_FIELDS).filter((n) => !names.has(n))).toEqual([]);
  });
});
