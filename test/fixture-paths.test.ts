// A fresh clone has nothing beside it: every fixture the suite reads must live inside the repository
// (test/fixtures, with each source's licence). This copies the repository's files (git ls-files, tracked
// and new) into a temporary folder with nothing else in it, loads the suite's fixture modules from the
// copy, reads every fixture they name, and checks that no source file reaches outside the copy with a
// relative path (a join of __dirname with four parent steps and shared/… was how the suite once read them).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');
const outer = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-clone-'));
/** The copy; `outer` holds nothing else, so a path leaving the copy finds nothing. */
const copy = path.join(outer, 'repo');

/** The repository's files as a clone would have them: tracked plus new, not ignored. */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return [...new Set(out.split('\0').filter(Boolean))].filter((f) => {
    const st = fs.lstatSync(path.join(root, f), { throwIfNoEntry: false });
    return st !== undefined && st.isFile();
  });
}

/** The modules through which tests locate their fixtures. */
const FIXTURE_MODULES = ['test/fixtures/index.ts', 'subgraphs/catalog/test/fixtures.ts'];

const inside = (p: string) => p === copy || p.startsWith(copy + path.sep);

/** Every file below `dir` (relative to `copy`). */
function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [path.relative(copy, p)];
  });
}

let files: string[] = [];
/** This file: it spells the patterns it looks for. */
const SELF = path.relative(root, __filename);
/** Run compiled (`npm start` runs dist/scripts/start.js), so their paths are relative to dist/…. */
const RUNS_FROM_DIST = new Set(['scripts/start.ts']);

describe('fixtures live inside the repository (a copy with nothing beside it)', () => {
  beforeAll(() => {
    files = repositoryFiles();
    for (const f of files) {
      fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
      fs.copyFileSync(path.join(root, f), path.join(copy, f));
    }
  });

  afterAll(() => fs.rmSync(outer, { recursive: true, force: true }));

  it('copies the fixture folders, each with its licence and a README naming its source', () => {
    const folders = fs
      .readdirSync(path.join(copy, 'test/fixtures'), { withFileTypes: true })
      .filter((e) => e.isDirectory());
    expect(folders.map((f) => f.name).sort()).toEqual(['apicurio', 'openlineage', 'sdmetrics']);
    for (const f of folders) {
      expect(fs.existsSync(path.join(copy, 'test/fixtures', f.name, 'LICENSE')), `${f.name}/LICENSE`).toBe(true);
      expect(fs.readFileSync(path.join(copy, 'test/fixtures', f.name, 'README.md'), 'utf8')).toMatch(/github\.com\//);
    }
  });

  it.each(FIXTURE_MODULES)(
    '%s, loaded from the copy, names folders inside the copy that hold readable fixtures',
    async (mod) => {
      const exports = (await import(path.join(copy, mod))) as Record<string, unknown>;
      const paths = Object.entries(exports).filter(
        (e): e is [string, string] => typeof e[1] === 'string' && path.isAbsolute(e[1]),
      );
      expect(paths.length, mod).toBeGreaterThan(0);
      for (const [name, p] of paths) {
        expect(inside(p), `${mod}: ${name} = ${p} is outside the copy`).toBe(true);
        // node_modules is installed into the clone by `npm ci`; the copy has none.
        if (path.relative(copy, p).split(path.sep)[0] === 'node_modules') continue;
        expect(fs.existsSync(p), `${mod}: ${name} = ${p}`).toBe(true);
        const found = fs.statSync(p).isDirectory() ? walk(p) : [path.relative(copy, p)];
        expect(found.length, `${name} is empty`).toBeGreaterThan(0);
        for (const f of found.filter((x) => x.endsWith('.json')))
          expect(() => JSON.parse(fs.readFileSync(path.join(copy, f), 'utf8')), f).not.toThrow();
      }
    },
  );

  it('no source file reaches outside the repository with a relative path', () => {
    const sources = files.filter(
      (f) => /\.(c|m)?(t|j)s$|\.sh$/.test(f) && !f.startsWith('test/fixtures/') && f !== SELF,
    );
    expect(sources.length).toBeGreaterThan(100);
    const escapes: string[] = [];
    for (const f of sources) {
      const text = fs.readFileSync(path.join(copy, f), 'utf8');
      // Compiled entry points run from dist/<same path>: their folder is one level deeper.
      const dir = path.dirname(path.join(copy, RUNS_FROM_DIST.has(f) ? path.join('dist', f) : f));
      // Relative literals (imports, `path.join(__dirname, '../..', 'x')` arguments, joined): resolved from the file's folder.
      for (const m of text.matchAll(/(?:__dirname|import\.meta\.dirname)\s*,((?:\s*['"][^'"\n]*['"]\s*,?)+)\)/g)) {
        const parts = [...m[1]!.matchAll(/['"]([^'"\n]*)['"]/g)].map((x) => x[1] ?? '');
        const target = path.resolve(dir, ...parts);
        if (!inside(target)) escapes.push(`${f}: ${m[0]}`);
      }
      for (const m of text.matchAll(/['"`]((?:\.\.\/)+[^'"`\n]*)['"`]/g)) {
        if (!inside(path.resolve(dir, m[1]!))) escapes.push(`${f}: ${m[1]}`);
      }
      if (/shared\/fixtures/.test(text)) escapes.push(`${f}: mentions shared/fixtures`);
    }
    // Relative strings that no code resolves from the file's own folder: an attack payload, and an import
    // written into the generated subgraphs/<service>/src/migrations/index.ts (relative to that file).
    const notPaths = new Set([
      'test/security/fuzz-inputs.ts: ../../../../etc/passwd',
      'scripts/migration-create.ts: ../../../../lib/src/index',
    ]);
    expect(escapes.filter((e) => !notPaths.has(e))).toEqual([]);
  });
});
