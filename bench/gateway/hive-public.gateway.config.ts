// Hive Gateway as graphql-hive/graphql-gateways-benchmark runs it: its `gateway.config.ts` turns on
// inbound in-flight request deduplication (identical concurrent requests share one execution) and
// JIT-compiled documents; the CLI is also started with `--jit`. Loaded with `-c` by the "hive-public"
// targets in gateway-targets.ts. A plain object (the CLI reads `gatewayConfig`): importing
// `defineConfig` would pull Hive's global fetch typings into this project's type check.
export const gatewayConfig = {
  inboundInflightRequestDeduplication: true,
  jit: true,
};
