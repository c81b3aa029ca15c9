// Rewrites every subgraph's checked-in schema.graphql from its code: runs the schema snapshot tests
// (`subgraphs/<name>/test/schema.test.ts`) in update mode. Run `npm run compose` afterwards.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const tests = fs
  .readdirSync(path.join(root, 'subgraphs'))
  .map((name) => `subgraphs/${name}/test/schema.test.ts`)
  .filter((file) => fs.existsSync(path.join(root, file)));
const run = spawnSync(
  process.execPath,
  // `--update` takes an optional value (vitest 4): it goes last, or it would swallow the first file.
  [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...tests, '--update'],
  { cwd: root, stdio: 'inherit' },
);
process.exit(run.status ?? 1);
