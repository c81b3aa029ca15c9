// The tree is formatted by Prettier (.prettierrc.json; .prettierignore keeps generated and data files as
// they are): `npx prettier --write .` fixes what this test reports.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

it('every source file is formatted by Prettier', async () => {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && fs.existsSync(path.join(ROOT, f)));
  const ignorePath = path.join(ROOT, '.prettierignore');
  const unformatted: string[] = [];
  let checked = 0;
  for (const file of files) {
    const filepath = path.join(ROOT, file);
    const info = await prettier.getFileInfo(filepath, { ignorePath });
    if (info.ignored || !info.inferredParser) continue;
    const options = await prettier.resolveConfig(filepath);
    checked += 1;
    if (!(await prettier.check(fs.readFileSync(filepath, 'utf8'), { ...options, filepath }))) unformatted.push(file);
  }
  expect(checked).toBeGreaterThan(100);
  expect(unformatted, 'run `npx prettier --write .`').toEqual([]);
}, 120_000);
