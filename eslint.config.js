// Few rules, each with its reason.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '**/.data/**', '.cache/**', 'scripts/ensure-deps.js', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware rules: a promise nobody awaits loses its error (and its ordering), one passed where a
    // callback returning void is expected runs unobserved, and a switch over a union must name every member.
    files: ['**/*.ts', '**/*.mts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    },
  },
  {
    rules: {
      // Type-only imports vanish at runtime; keeping them explicit avoids import cycles at load time.
      '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }],
      // Unused parameters are allowed when named _x (resolver signatures are fixed by the framework).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Tests and bench read answers loosely; source files turn this on below.
      '@typescript-eslint/no-explicit-any': 'off',
      // type-graphql decorators need classes that merge with interfaces sometimes.
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      // A subgraph never imports another subgraph: they talk over the API only; lib never imports a subgraph.
      // graphql-scalars' JSON scalars take any nesting: lib's JSONScalar/JSONObjectScalar refuse input deeper than MAX_JSON_DEPTH.
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ group: ['**/subgraphs/*/**'], message: 'subgraphs talk over their APIs, never by import' }],
          paths: [
            {
              name: 'graphql-scalars',
              importNames: ['GraphQLJSON', 'GraphQLJSONObject'],
              message: 'use JSONScalar / JSONObjectScalar from lib (depth-limited)',
            },
          ],
        },
      ],
    },
  },
  {
    // Code that serves requests: V8's regex engine backtracks, so a user pattern could stall the event loop (ReDoS).
    // Patterns from input go through lib's compileUserPattern (RE2).
    files: ['lib/src/**', 'lib/contracts/**', 'gateway/src/**', 'subgraphs/*/src/**'],
    ignores: ['lib/src/testing/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='RegExp'], CallExpression[callee.name='RegExp']",
          message: 'compile user patterns with compileUserPattern (lib, RE2); write fixed patterns as /literals/',
        },
        {
          selector: "CallExpression[callee.property.name=/^(match|matchAll|search)$/][arguments.0.type!='Literal']",
          message: 'a string argument becomes a backtracking RegExp: use a /literal/ or compileUserPattern (lib, RE2)',
        },
      ],
    },
  },
  {
    // No `any` in source: unknown + narrowing, the library's own types, generics or a small interface. Where a
    // third-party signature forces it, one typed wrapper holds it, on a line with an eslint-disable saying why.
    // Tests, bench and lib's test support (lib/src/testing) may use it.
    files: ['lib/src/**', 'lib/contracts/**', 'gateway/src/**', 'subgraphs/*/src/**', 'scripts/**', 'k8s/tools/**'],
    ignores: ['lib/src/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    // A subgraph's REST routes read JSON with lib's jsonBody, which also refuses strings no database can store.
    files: ['subgraphs/*/src/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['json', 'text', 'urlencoded'].map((property) => ({
          object: 'express',
          property,
          message: 'use jsonBody from lib (it refuses NUL bytes and lone surrogates, naming the field)',
        })),
      ],
    },
  },
  {
    // The gateway loads the shared mechanism (lib/src/core) only, never the subgraph kit (ORM, type-graphql,
    // uploads, worker pools, the service server): gateway/test/layers.test.ts checks what actually loads.
    files: ['gateway/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/subgraphs/*/**'], message: 'subgraphs talk over their APIs, never by import' },
            {
              regex: '(^|/)lib/src(/(?!core(/|$)).*)?$',
              message: 'the gateway imports lib/src/core only (lib/src/index is the subgraph kit)',
            },
            {
              group: ['@mikro-orm/*', 'type-graphql', 'reflect-metadata'],
              message: 'the gateway never loads the subgraph kit',
            },
          ],
          paths: [
            {
              name: 'graphql-scalars',
              importNames: ['GraphQLJSON', 'GraphQLJSONObject'],
              message: 'use JSONScalar / JSONObjectScalar from lib (depth-limited)',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests and the launcher may reach into subgraphs to start them.
    files: ['test/**', 'scripts/**', 'bench/**', 'subgraphs/*/test/**', 'lib/src/testing/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Plain CommonJS preloads (node --require): Node's module scope, and require is how they load.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
