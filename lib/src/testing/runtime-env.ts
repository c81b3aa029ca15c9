/**
 * The variables that make a child process run on the same Node setup as the test process, for tests
 * that start a child with an environment of their own (not `...process.env`): under `npm run
 * test:node24` the preload that loads re2's Node 24 build (`NODE_OPTIONS`, `AIC_RE2_BINARY`,
 * `AIC_RE2_ABI`, scripts/node24-preload.cjs) and node-gyp's headers (`npm_config_nodedir`). Without
 * them such a child loads node_modules' Node 20 re2 and dies at its first import. Empty on Node 20.
 */
export function runtimeEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const names = ['NODE_OPTIONS', 'AIC_RE2_BINARY', 'AIC_RE2_ABI', 'npm_config_nodedir'];
  return Object.fromEntries(names.flatMap((n) => (env[n] ? [[n, env[n]!]] : [])));
}
