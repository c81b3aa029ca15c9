import path from 'node:path';
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
// graphql 16 ships CJS and ESM copies; CJS dependencies load one and test files the other
// ("Cannot use GraphQLObjectType from another module or realm"): force the CJS copy everywhere.
const graphqlEntry = path.join(path.dirname(require.resolve('graphql/package.json')), 'index.js');
// graphql-shield's ESM build imports `isUndefined` from 'util', which Node 23+ no longer has: on Node 24
// every file importing it fails to link. Its CJS build (what the compiled services load) reads it lazily,
// only in and/or/chain/race rules, which this project does not use. Tests load the CJS build too.
const graphqlShieldEntry = require.resolve('graphql-shield');

export default defineConfig({
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: graphqlEntry },
      { find: /^graphql-shield$/, replacement: graphqlShieldEntry },
    ],
  },
  test: {
    include: [
      'lib/**/*.test.ts',
      'gateway/**/*.test.ts',
      'subgraphs/**/*.test.ts',
      'test/**/*.test.ts',
      'test/**/*.e2e.ts',
      'scripts/**/*.test.ts',
      'bench/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', 'dist/**'],
    pool: 'forks',
    setupFiles: ['reflect-metadata'],
    // A real PostgreSQL for the run when none answers on AIC_TEST_POSTGRES_URL (README "Tests").
    globalSetup: ['lib/src/testing/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
