// Hive Gateway as graphql-hive/graphql-gateways-benchmark runs it: its `gateway.config.ts` turns on
// inbound in-flight request deduplication (identical concurrent requests share one execution) and
// JIT-compiled documents; the CLI is also started with `--jit`. Loaded with `-c` by the "hive-public"
// targets in gateway-targets.ts.
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  inboundInflightRequestDeduplication: true,
  jit: true,
});
