// The layer rules of docs/adding-a-subgraph.md, checked on the source of every subgraph: resolvers make one service call and never touch the ORM,
// queries live in repositories, services and repositories are built only by the composition root,
// entities extend one of lib's base entities.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
// Every subgraph follows them: a new subgraph is checked from its first commit.
const FOLLOWING = fs
  .readdirSync(path.join(ROOT, 'subgraphs'))
  .filter((name) => fs.existsSync(path.join(ROOT, 'subgraphs', name, 'src', 'server.ts')));
const BASE_ENTITIES = ['PlatformEntity', 'OrganizationEntity', 'TrackedOrganizationEntity'];
/**
 * Known exceptions (issue #22 stays open on them): inference's two bookkeeping tables of #17, keyed by
 * natural ids longer than the base entity's 36-character id (`<jobId>:<start>`, `<endpointId>|<replica>`).
 * They should extend PlatformEntity with a unique index on the natural key (a migration of their tables).
 */

/** EntityManager methods that query or bypass the unit of work: repositories only. */
const QUERY_METHODS = new Set([
  'find',
  'findOne',
  'findOneOrFail',
  'findAll',
  'findAndCount',
  'findByCursor',
  'count',
  'nativeDelete',
  'nativeUpdate',
  'nativeInsert',
  'insert',
  'insertMany',
  'upsert',
  'upsertMany',
  'createQueryBuilder',
  'qb',
  'getRepository',
  'getConnection',
  'execute',
]);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((c) => walk(c, visit));
}

const where = (sf: ts.SourceFile, n: ts.Node): string =>
  `${path.relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;

/** `em.find(...)`, `scope.em.count(...)`, `ctx.em.nativeDelete(...)`: a query on an EntityManager. */
function isQueryOnEm(n: ts.Node): n is ts.CallExpression {
  if (
    !ts.isCallExpression(n) ||
    !ts.isPropertyAccessExpression(n.expression) ||
    !QUERY_METHODS.has(n.expression.name.text)
  )
    return false;
  const receiver = n.expression.expression;
  return (
    (ts.isIdentifier(receiver) && receiver.text === 'em') ||
    (ts.isPropertyAccessExpression(receiver) && receiver.name.text === 'em')
  );
}

/** Calls `ctx.services.<service>.<method>(...)` inside a node. */
function serviceCalls(body: ts.Node): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  walk(body, (n) => {
    if (ts.isCallExpression(n) && /^ctx\.services\.\w+\.\w+$/.test(n.expression.getText())) out.push(n);
  });
  return out;
}

describe.each(FOLLOWING)('the layers of the %s subgraph', (subgraph) => {
  const src = path.join(ROOT, 'subgraphs', subgraph, 'src');
  const files = sourceFiles(src).map(parse);
  const named = (suffix: string) => files.filter((f) => f.fileName.endsWith(suffix));

  it('has resolvers and reference resolvers that make one service call and never touch the ORM', () => {
    const problems: string[] = [];
    for (const sf of [...named('.resolver.ts'), ...named('.reference.ts'), ...named('.references.ts')]) {
      walk(sf, (n) => {
        if (ts.isImportDeclaration(n) && /^@mikro-orm\//.test((n.moduleSpecifier as ts.StringLiteral).text))
          problems.push(`${where(sf, n)} imports the ORM`);
        if (ts.isPropertyAccessExpression(n) && ['em', 'orm'].includes(n.name.text))
          problems.push(`${where(sf, n)} uses ${n.getText()}`);
        if ((ts.isMethodDeclaration(n) || ts.isFunctionDeclaration(n)) && n.body && serviceCalls(n.body).length > 1)
          problems.push(`${where(sf, n)} makes ${serviceCalls(n.body).length} service calls`);
      });
    }
    expect(problems).toEqual([]);
    expect(named('.resolver.ts').length).toBeGreaterThan(0);
  });

  it('keeps every query in a repository', () => {
    const problems: string[] = [];
    for (const sf of files.filter((f) => !f.fileName.endsWith('.repository.ts')))
      walk(sf, (n) => isQueryOnEm(n) && problems.push(`${where(sf, n)} ${n.expression.getText()}`));
    expect(problems).toEqual([]);
    expect(named('.repository.ts').length).toBeGreaterThan(0);
  });

  it('has services that are classes, built with their repositories only by the composition root', () => {
    const problems: string[] = [];
    for (const sf of named('.service.ts')) {
      const classes = sf.statements.filter(
        (s) => ts.isClassDeclaration(s) && s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword),
      );
      if (classes.length === 0) problems.push(`${where(sf, sf)} exports no service class`);
      for (const s of sf.statements)
        if (ts.isFunctionDeclaration(s) && s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))
          problems.push(`${where(sf, s)} exports function ${s.name?.text}`);
    }
    const root = path.join(src, `${subgraph}.services.ts`);
    // The subgraph's own service and repository classes (a library's `new Service(...)`, such as a Kubernetes object model, is not one).
    const own = new Set(
      files.flatMap((sf) =>
        sf.statements.flatMap((s) =>
          ts.isClassDeclaration(s) && s.name && /(Service|Repository)$/.test(s.name.text) ? [s.name.text] : [],
        ),
      ),
    );
    for (const sf of files.filter((f) => f.fileName !== root)) {
      walk(
        sf,
        (n) =>
          ts.isNewExpression(n) &&
          own.has(n.expression.getText()) &&
          problems.push(`${where(sf, n)} builds ${n.expression.getText()} outside ${subgraph}.services.ts`),
      );
    }
    expect(problems).toEqual([]);
    expect(fs.existsSync(root)).toBe(true);
  });

  it('builds its services once per process: the composition root is called by createServer itself, never per request', () => {
    const root = files.find((f) => f.fileName === path.join(src, `${subgraph}.services.ts`));
    const builders = new Set(
      root?.statements.flatMap((s) =>
        ts.isFunctionDeclaration(s) && s.name && s.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
          ? [s.name.text]
          : [],
      ),
    );
    const problems: string[] = [];
    let callsInCreateServer = 0;
    for (const sf of files) {
      walk(sf, (n) => {
        if (!ts.isCallExpression(n) || !ts.isIdentifier(n.expression) || !builders.has(n.expression.text)) return;
        let fn: ts.Node | undefined = n.parent;
        while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
        const ownBody = (name: string) =>
          !!fn && ts.isFunctionDeclaration(fn) && fn.name?.text === name && fn.parent === sf;
        const inCreateServer = ownBody('createServer') && path.basename(sf.fileName) === 'server.ts';
        // Another process of the subgraph (a `*.main.ts` entry point other than main.ts, such as a job's worker) builds its own, once, in its `main`.
        const inOtherProcess = ownBody('main') && sf.fileName.endsWith('.main.ts');
        if (inCreateServer) callsInCreateServer++;
        else if (!inOtherProcess)
          problems.push(`${where(sf, n)} calls ${n.expression.text} outside createServer's own body`);
      });
    }
    expect(problems).toEqual([]);
    expect(callsInCreateServer).toBe(1);
  });

  it('has entities that all extend one of lib base entities', () => {
    const problems: string[] = [];
    for (const sf of files) {
      for (const s of sf.statements) {
        if (!ts.isClassDeclaration(s) || !ts.getDecorators(s)?.some((d) => /^Entity\(/.test(d.expression.getText())))
          continue;
        const base = s.heritageClauses
          ?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)
          ?.types[0]?.expression.getText();
        if (!base || !BASE_ENTITIES.includes(base))
          problems.push(`${where(sf, s)} ${s.name?.text} extends ${base ?? 'nothing'}`);
        if (!sf.fileName.endsWith('.entity.ts'))
          problems.push(`${where(sf, s)} ${s.name?.text} is not in an .entity.ts file`);
      }
    }
    expect(problems).toEqual([]);
  });
});
