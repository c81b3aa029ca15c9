import path from 'node:path';
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
// graphql 16 ships CJS and ESM copies; CJS dependencies load one and test files the other
// ("Cannot use GraphQLObjectType from another module or realm"): force the CJS copy everywhere.
const graphqlEntry = path.join(path.dirname(require.resolve('graphql/package.json')), 'index.js');

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    include: ['lib/**/*.test.ts', 'gateway/**/*.test.ts', 'subgraphs/**/*.test.ts', 'test/**/*.test.ts', 'test/**/*.e2e.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**'],
    pool: 'forks',
    setupFiles: ['reflect-metadata'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
