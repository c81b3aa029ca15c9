// The build context the image test builds from: .dockerignore read as Docker reads it (last matching
// rule wins, a rule matching a parent folder covers what is inside, `!` re-includes, `**` any depth).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDockerfile } from '../../k8s/tools/dockerfile';
import { contextFiles, copyFromContext, isIgnored, parseDockerignore } from './support/docker-context';

const root = path.resolve(__dirname, '..', '..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-context-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('.dockerignore', () => {
  const rules = parseDockerignore(
    [
      '# comment',
      '',
      '**/node_modules',
      'dist',
      '/k8s',
      '**/*.test.ts',
      '.env',
      '**/.env.*',
      '!**/.env.example',
      'docs/*.md',
      'a?c',
    ].join('\n'),
  );

  it.each([
    ['node_modules/x/index.js', true],
    ['lib/node_modules/x', true],
    ['dist/gateway/main.js', true],
    ['lib/dist/x.js', false],
    ['k8s/tools/render.ts', true],
    ['lib/src/k8s.ts', false],
    ['lib/test/x.test.ts', true],
    ['x.test.ts', true],
    ['lib/src/x.ts', false],
    ['.env', true],
    ['lib/.env.local', true],
    ['lib/.env.example', false],
    ['docs/a.md', true],
    ['docs/api/a.md', false],
    ['abc', true],
    ['abbc', false],
  ])('%s ignored: %s', (file, ignored) => {
    expect(isIgnored(rules, file)).toBe(ignored);
  });
});

describe("this repository's build context", () => {
  const files = contextFiles(root);

  it('holds the sources and manifests the images build from, not k8s/, tests, docs or node_modules', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'package-lock.json',
        '.npmrc',
        'tsconfig.image.json',
        'gateway/src/main.ts',
        'lib/src/env.ts',
      ]),
    );
    expect(files.filter((f) => /^(k8s|test|docs|bench|node_modules|\.git)(\/|$)|\/test\/|\.test\.ts$/.test(f))).toEqual(
      [],
    );
  });

  // image-build.e2e.ts builds the CPU image's stages; the GPU image compiles the same sources the same way.
  it.each(['Dockerfile', 'Dockerfile.gpu'])(
    '%s copies only what the context holds; its build stage equals the CPU one',
    (file) => {
      const stages = parseDockerfile(fs.readFileSync(path.join(root, file), 'utf8'));
      for (const s of stages) {
        for (const c of s.copies.filter((x) => !x.from))
          expect(
            () => copyFromContext(root, files, path.join(tmp, file, s.name), c.sources, c.dest),
            `${s.name}: COPY ${c.sources.join(' ')}`,
          ).not.toThrow();
      }
      const cpuBuild = parseDockerfile(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8')).find(
        (s) => s.name === 'build',
      );
      expect(stages.find((s) => s.name === 'build')).toEqual(cpuBuild);
    },
  );

  it('copies a folder below its destination, files into a destination folder, and a wildcard matching nothing as nothing', () => {
    const stage = path.join(tmp, 'stage');
    expect(
      copyFromContext(root, files, stage, ['gateway'], './gateway').every((f) => f.startsWith(`gateway${path.sep}`)),
    ).toBe(true);
    expect(fs.existsSync(path.join(stage, 'gateway/src/main.ts'))).toBe(true);
    expect(copyFromContext(root, files, stage, ['package.json', '.npmrc'], './')).toEqual(['package.json', '.npmrc']);
    expect(copyFromContext(root, files, stage, ['no-such-file*'], './')).toEqual([]);
    expect(() => copyFromContext(root, files, stage, ['k8s'], './k8s')).toThrow(/not in the build context/);
  });
});
