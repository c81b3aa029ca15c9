import path from 'node:path';
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// The root config does not include bench/ (yet): `npx vitest run --config bench/vitest.config.mts`.
// Same settings as the root config, including its single CJS copy of graphql.
const require = createRequire(import.meta.url);
const graphqlEntry = path.join(path.dirname(require.resolve('graphql/package.json')), 'index.js');

export default defineConfig({
  root: path.resolve(path.dirname(new URL(import.meta.url).pathname), '..'),
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    include: ['bench/**/*.test.ts'],
    pool: 'forks',
    setupFiles: ['reflect-metadata'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
