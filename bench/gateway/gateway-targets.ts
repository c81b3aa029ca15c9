import fs from 'node:fs';
import path from 'node:path';
import type { ServiceProcess } from './processes';
import { SERVICES } from '../../lib/contracts/services';
import { freePort, startProcess } from './processes';

/** A gateway under test: how to start it as its own process over a supergraph file. */
export interface GatewayTarget {
  key: string;
  label: string;
  /** Node processes serving requests (workers); 1 for a single process. */
  processes: number;
  /** `nodeArgs` go before the script (e.g. `--cpu-prof`). */
  start(supergraphPath: string, nodeArgs?: string[]): Promise<{ proc: ServiceProcess; url: string }>;
}

/** @returns the installed version of a package, or "not installed" */
export function installedVersion(root: string, pkg: string): string {
  try {
    return (
      JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'not installed';
  }
}

/** @returns where the benchmark records the first answer (beside the supergraph) for the ceiling target */
export function ceilingAnswerPath(supergraphPath: string): string {
  return path.join(path.dirname(supergraphPath), 'answer.json');
}

/**
 * The gateways the benchmark compares: ours as shipped (its `main.ts`, production settings, token
 * verification and rate limits off because the benchmark sends no tokens and one client IP), with
 * one process and with two workers (and, as a diagnostic, one process without subgraph request
 * deduplication); bare `@apollo/gateway` under Apollo Server's standalone server;
 * Hive Gateway's CLI by default and as the public benchmark runs it (`--jit` and its gateway.config.ts
 * with `inboundInflightRequestDeduplication: true`), NODE_ENV=production, each with one process and
 * `--fork 2`; a ceiling (plain node:http answering the same bytes); and, as a diagnostic, bare Apollo Gateway whose subgraph calls go
 * through `node:http` instead of a WHATWG fetch (what the HTTP client costs).
 * @returns the targets keyed by name
 */
export function gatewayTargets(root: string): GatewayTarget[] {
  const tsx = ['--import', 'tsx'];
  const ours = (workers: number, dedupe = true): GatewayTarget => ({
    key: !dedupe ? 'ours-nodedupe' : workers === 1 ? 'ours' : `ours-${workers}w`,
    label: !dedupe
      ? 'diagnostic: ours (1 process) with AIC_SUBGRAPH_DEDUPE=false'
      : workers === 1
        ? 'ours (1 process)'
        : `ours (AIC_GATEWAY_WORKERS=${workers})`,
    processes: workers,
    async start(supergraphPath, nodeArgs = []) {
      const port = await freePort();
      const env = {
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        AIC_SUPERGRAPH_PATH: supergraphPath,
        AIC_GATEWAY_VERIFY_TOKENS: 'false',
        AIC_RATE_LIMIT_PER_IP: '0',
        AIC_RATE_LIMIT_PER_USER: '0',
        AIC_GATEWAY_WORKERS: String(workers),
        AIC_SUBGRAPH_DEDUPE: String(dedupe),
        LOG_LEVEL: 'warn',
      };
      // The images start services with reflect-metadata preloaded (Dockerfile) and the gateway with its
      // heap flags (lib/contracts SERVICES.gateway.nodeFlags, as k8s/base/services/gateway.yaml); so does this.
      return {
        proc: startProcess(
          this.label,
          process.execPath,
          [...nodeArgs, ...SERVICES.gateway.nodeFlags, '--require', 'reflect-metadata', ...tsx, 'gateway/src/main.ts'],
          env,
          root,
        ),
        url: `http://127.0.0.1:${port}/graphql`,
      };
    },
  });
  const hiveVersion = installedVersion(root, '@graphql-hive/gateway');
  /**
   * Hive Gateway's CLI: by default (`supergraph <file>`, NODE_ENV=production) or as the public
   * benchmark runs it (`--jit` and its gateway.config.ts: inbound in-flight deduplication).
   */
  const hive = (fork: number, publicConfig: boolean): GatewayTarget => ({
    key: `hive${publicConfig ? '-public' : ''}${fork === 1 ? '' : `-${fork}f`}`,
    label: `Hive Gateway ${hiveVersion}${publicConfig ? ', public benchmark config (--jit, inbound dedup)' : ', default'}${fork === 1 ? ' (1 process)' : ` (--fork ${fork})`}`,
    processes: fork,
    async start(supergraphPath, nodeArgs = []) {
      const port = await freePort();
      const bin = path.join(root, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');
      const args = [
        ...nodeArgs,
        bin,
        ...(publicConfig ? ['-c', path.join(root, 'bench', 'gateway', 'hive-public.gateway.config.ts'), '--jit'] : []),
        '--fork',
        String(fork),
        'supergraph',
        supergraphPath,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
      ];
      return {
        proc: startProcess(this.label, process.execPath, args, { NODE_ENV: 'production' }, root),
        url: `http://127.0.0.1:${port}/graphql`,
      };
    },
  });
  return [
    ours(1),
    ours(2),
    ours(1, false),
    {
      key: 'bare',
      label: `bare @apollo/gateway ${installedVersion(root, '@apollo/gateway')} + @apollo/server ${installedVersion(root, '@apollo/server')}`,
      processes: 1,
      async start(supergraphPath, nodeArgs = []) {
        const port = await freePort();
        const args = [...nodeArgs, ...tsx, 'bench/gateway/bare-apollo.main.ts', supergraphPath, String(port)];
        return {
          proc: startProcess(this.label, process.execPath, args, { NODE_ENV: 'production' }, root),
          url: `http://127.0.0.1:${port}/graphql`,
        };
      },
    },
    {
      key: 'bare-http',
      label: 'diagnostic: bare @apollo/gateway with a node:http keep-alive subgraph fetcher',
      processes: 1,
      async start(supergraphPath, nodeArgs = []) {
        const port = await freePort();
        const args = [...nodeArgs, ...tsx, 'bench/gateway/bare-apollo.main.ts', supergraphPath, String(port), 'http'];
        return {
          proc: startProcess(this.label, process.execPath, args, { NODE_ENV: 'production' }, root),
          url: `http://127.0.0.1:${port}/graphql`,
        };
      },
    },
    hive(1, false),
    hive(1, true),
    hive(2, false),
    hive(2, true),
    {
      key: 'ceiling',
      label: 'ceiling: plain node:http answering the same bytes, no GraphQL',
      processes: 1,
      async start(supergraphPath, nodeArgs = []) {
        const port = await freePort();
        const answer = ceilingAnswerPath(supergraphPath);
        if (!fs.existsSync(answer))
          throw new Error(`${answer} does not exist: the ceiling answers what the first gateway measured answered`);
        const args = [...nodeArgs, ...tsx, 'bench/gateway/ceiling.main.ts', answer, String(port)];
        return {
          proc: startProcess(this.label, process.execPath, args, {}, root),
          url: `http://127.0.0.1:${port}/graphql`,
        };
      },
    },
  ];
}
