import fs from 'node:fs';
import path from 'node:path';
import type { DocumentNode } from 'graphql';
import { Kind, parse } from 'graphql';

export interface DocExample {
  file: string;
  /** The operation's name (examples are named so tests can run them). */
  name: string;
  source: string;
  document: DocumentNode;
}

const ROOT = path.resolve(__dirname, '..');

/** Markdown files whose ```graphql blocks are examples: README and everything under docs/. */
export function docFiles(): string[] {
  const out = [path.join(ROOT, 'README.md')];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.md')) out.push(p);
    }
  };
  walk(path.join(ROOT, 'docs'));
  return out;
}

/**
 * Every ```graphql block of a markdown file, one example per operation.
 * @returns the examples; throws when a block does not parse
 */
export function examplesOf(file: string): DocExample[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: DocExample[] = [];
  for (const m of text.matchAll(/```graphql\n([\s\S]*?)```/g)) {
    const document = parse(m[1]!);
    for (const def of document.definitions) {
      if (def.kind !== Kind.OPERATION_DEFINITION) continue;
      const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
      out.push({
        file: path.relative(ROOT, file),
        name: def.name?.value ?? '(anonymous)',
        source: m[1]!,
        document: { kind: Kind.DOCUMENT, definitions: [def, ...fragments] },
      });
    }
  }
  return out;
}

/** @returns the README's example with that operation name (throws when missing, so docs and tests stay together) */
export function readmeExample(name: string): string {
  const found = examplesOf(path.join(ROOT, 'README.md')).find((e) => e.name === name);
  if (!found) throw new Error(`README.md has no example operation named ${name}`);
  return found.source;
}
