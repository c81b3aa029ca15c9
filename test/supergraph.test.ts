import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { composeFromConfig, subgraphUrls } from '../lib/src/index';

const root = path.resolve(__dirname, '..');

describe('supergraph', () => {
  it('supergraph.graphql is composed from supergraph.yaml (run `npm run compose` when this fails)', async () => {
    const composed = await composeFromConfig(path.join(root, 'supergraph.yaml'));
    expect(fs.readFileSync(path.join(root, 'supergraph.graphql'), 'utf8')).toBe(composed);
  });

  it('has no input or enum type defined in two subgraphs (composition would merge them silently)', () => {
    const config = YAML.parse(fs.readFileSync(path.join(root, 'supergraph.yaml'), 'utf8'));
    const owners = new Map<string, string[]>();
    for (const [name, sg] of Object.entries<any>(config.subgraphs)) {
      const sdl = fs.readFileSync(path.join(root, sg.schema.file), 'utf8');
      for (const m of sdl.matchAll(/^(input|enum) (\w+)/gm)) owners.set(m[2]!, [...(owners.get(m[2]!) ?? []), name]);
    }
    expect([...owners].filter(([, by]) => by.length > 1)).toEqual([]);
  });

  it('routes every subgraph to its folder name and a distinct port', () => {
    const config = YAML.parse(fs.readFileSync(path.join(root, 'supergraph.yaml'), 'utf8'));
    const urls = subgraphUrls(fs.readFileSync(path.join(root, 'supergraph.graphql'), 'utf8'));
    const names = Object.keys(config.subgraphs);
    for (const name of names) expect(fs.existsSync(path.join(root, 'subgraphs', name, 'src', 'main.ts'))).toBe(true);
    expect(Object.keys(urls).sort()).toEqual([...names].sort());
    expect(new Set(Object.values(urls).map((u) => new URL(u).port)).size).toBe(names.length);
  });
});
