// The gateway loads lib's shared mechanism (lib/src/core) and never the subgraph kit (lib/src/index:
// the ORM, type-graphql, uploads, worker pools, the service server). ESLint refuses such an import in
// gateway/src; this checks what actually loads, through every module in between.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
/** What gateway/src/main.ts imports: loading these is loading the gateway (main itself would start serving). */
const ENTRY_MODULES = ['gateway/src/server.ts', 'gateway/src/config.ts', 'gateway/src/reload.ts'];
const KIT_PACKAGES = /^(@mikro-orm\/|type-graphql$|reflect-metadata$)/;
const CORE = path.join(ROOT, 'lib/src/core');

function resolveRelative(from: string, specifier: string): string {
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts'), base])
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  throw new Error(`${path.relative(ROOT, from)}: cannot resolve ${specifier}`);
}

/** The specifiers a module loads at run time: imports and re-exports that are not type-only, `import()` and `require()`. */
function runtimeSpecifiers(file: string): string[] {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const clause = n.importClause;
      const typeOnly =
        clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            clause.namedBindings &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push(n.moduleSpecifier.text);
    } else if (
      ts.isExportDeclaration(n) &&
      n.moduleSpecifier &&
      ts.isStringLiteral(n.moduleSpecifier) &&
      !n.isTypeOnly
    ) {
      out.push(n.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(n) &&
      (n.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(n.expression) && n.expression.text === 'require')) &&
      n.arguments[0] &&
      ts.isStringLiteral(n.arguments[0])
    ) {
      out.push(n.arguments[0].text);
    }
    n.forEachChild(visit);
  };
  visit(sf);
  return out;
}

/** Every source module the entry modules load, each with the chain that reaches it, and every package they name. */
function importGraph(entries: string[]): { modules: Map<string, string[]>; packages: Map<string, string[]> } {
  const modules = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  const queue = entries.map((e) => ({ file: path.join(ROOT, e), chain: [e] }));
  while (queue.length) {
    const { file, chain } = queue.shift()!;
    if (modules.has(file)) continue;
    modules.set(file, chain);
    for (const specifier of runtimeSpecifiers(file)) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        queue.push({ file: target, chain: [...chain, path.relative(ROOT, target)] });
      } else if (!packages.has(specifier)) {
        packages.set(specifier, chain);
      }
    }
  }
  return { modules, packages };
}

describe('the gateway and the subgraph kit', () => {
  it('imports, through every module it loads, lib/src/core and no module of the subgraph kit', () => {
    const { modules, packages } = importGraph(ENTRY_MODULES);
    const libModules = [...modules.keys()].filter((f) => f.startsWith(path.join(ROOT, 'lib/src')));
    // Not vacuous: the walk reaches lib through the core barrel.
    expect(modules.has(path.join(CORE, 'index.ts'))).toBe(true);
    // The gateway enters lib through lib/src/core only (the first lib module on every chain).
    const enteredElsewhere = libModules
      .map((f) => modules.get(f)!)
      .filter((chain) => !chain.find((m) => m.startsWith('lib/src/'))!.startsWith('lib/src/core/'))
      .map((chain) => chain.join(' → '));
    expect(enteredElsewhere).toEqual([]);
    const kit = [
      'lib/src/index.ts',
      'lib/src/orm.ts',
      'lib/src/server.ts',
      'lib/src/context.ts',
      'lib/src/federation.ts',
      'lib/src/uploads.ts',
      'lib/src/worker-pool.ts',
      'lib/src/pubsub.ts',
    ].map((f) => path.join(ROOT, f));
    const reached = [...modules.entries()]
      .filter(([f]) => kit.includes(f) || f.startsWith(path.join(ROOT, 'lib/src/kit')))
      .map(([, chain]) => chain.join(' → '));
    expect(reached).toEqual([]);
    const kitPackages = [...packages.entries()]
      .filter(([name]) => KIT_PACKAGES.test(name))
      .map(([name, chain]) => `${chain.join(' → ')} → ${name}`);
    expect(kitPackages).toEqual([]);
  });

  it('does not load @mikro-orm, type-graphql or reflect-metadata when its modules load (require.cache of a fresh process)', () => {
    const script = `${ENTRY_MODULES.map((m) => `require(${JSON.stringify(path.join(ROOT, m))});`).join('')}
      const loaded = Object.keys(require.cache);
      process.stdout.write(JSON.stringify({ gateway: loaded.some((f) => f.endsWith(${JSON.stringify(path.join('gateway', 'src', 'server.ts'))})), kit: loaded.filter((f) => /node_modules[\\\\/](@mikro-orm|type-graphql|reflect-metadata)[\\\\/]/.test(f)) }));`;
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const { gateway, kit } = JSON.parse(out) as { gateway: boolean; kit: string[] };
    expect(gateway).toBe(true);
    expect(kit).toEqual([]);
  });

  it('is never imported by lib (lib/src/testing included): the layers only run down', () => {
    const lib = path.join(ROOT, 'lib/src');
    const files = (fs.readdirSync(lib, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(lib, f));
    expect(files).toContain(path.join(lib, 'testing/harness.ts'));
    const upward = files.flatMap((file) =>
      ts
        .preProcessFile(fs.readFileSync(file, 'utf8'), true, true)
        .importedFiles.filter(
          (i) =>
            i.fileName.startsWith('.') &&
            path.resolve(path.dirname(file), i.fileName).startsWith(path.join(ROOT, 'gateway') + path.sep),
        )
        .map((i) => `${path.relative(ROOT, file)} → ${i.fileName}`),
    );
    expect(upward).toEqual([]);
  });
});
