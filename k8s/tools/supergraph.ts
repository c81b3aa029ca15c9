// The gateway's supergraph inside the cluster: the composed supergraph of the repository with each
// subgraph's routing URL pointing at its Kubernetes Service. Kustomize may only read files under the
// kustomization root, so the ConfigMap is generated from a copy in k8s/base/gateway/ that
// `npm run compose` writes and test/k8s/manifests.test.ts checks.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { composeSupergraph, subgraphUrls } from '../../lib/src/compose';
import type { K8sObject } from './render';

/** Where the k8s copy lives, relative to the repository root. */
export const K8S_SUPERGRAPH_PATH = 'k8s/base/gateway/supergraph.graphql';

/**
 * In-cluster GraphQL URLs of every Service that exposes the platform's http port.
 * @returns Service name → `http://<name>.<namespace>.svc.cluster.local:<port>/graphql`
 */
export function serviceGraphqlUrls(objects: K8sObject[]): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const o of objects) {
    if (o.kind !== 'Service' || o.metadata.labels?.['app.kubernetes.io/part-of'] !== 'aic-platform') continue;
    const port = ((o.spec as { ports?: { name?: string; port: number }[] }).ports ?? []).find((p) => p.name === 'http');
    if (port)
      urls[o.metadata.name] =
        `http://${o.metadata.name}.${o.metadata.namespace}.svc.cluster.local:${port.port}/graphql`;
  }
  return urls;
}

/**
 * Replaces the routing URL of every `@join__graph` with the in-cluster one.
 * @returns the rewritten SDL; throws when a subgraph has no Service
 */
export function rewriteRoutingUrls(supergraphSdl: string, urls: Record<string, string>): string {
  return supergraphSdl.replace(/@join__graph\(name:\s*"([^"]+)",\s*url:\s*"[^"]*"\)/g, (_m, name: string) => {
    const url = urls[name];
    if (!url) throw new Error(`subgraph "${name}" has no Kubernetes Service of the same name`);
    return `@join__graph(name: "${name}", url: "${url}")`;
  });
}

/**
 * The k8s supergraph from the repository's sources: `supergraph.graphql` when it exists (the lead's
 * composition), else a composition of the subgraphs in `supergraph.yaml`, else of every
 * `subgraphs/<name>/schema.graphql`.
 * @returns the SDL with in-cluster routing URLs
 */
export function buildK8sSupergraph(repoRoot: string, urls: Record<string, string>): string {
  const composed = path.join(repoRoot, 'supergraph.graphql');
  if (fs.existsSync(composed)) return rewriteRoutingUrls(fs.readFileSync(composed, 'utf8'), urls);
  const configFile = path.join(repoRoot, 'supergraph.yaml');
  let files: { name: string; file: string }[];
  if (fs.existsSync(configFile)) {
    const config = YAML.parse(fs.readFileSync(configFile, 'utf8')) as {
      subgraphs: Record<string, { schema: { file?: string } }>;
    };
    files = Object.entries(config.subgraphs).map(([name, sg]) => {
      if (!sg.schema?.file) throw new Error(`supergraph.yaml: subgraph "${name}" has no schema.file`);
      return { name, file: path.resolve(repoRoot, sg.schema.file) };
    });
  } else {
    const dir = path.join(repoRoot, 'subgraphs');
    files = fs
      .readdirSync(dir)
      .sort()
      .map((name) => ({ name, file: path.join(dir, name, 'schema.graphql') }))
      .filter((f) => fs.existsSync(f.file));
  }
  return composeSupergraph(
    files.map(({ name, file }) => {
      if (!urls[name]) throw new Error(`subgraph "${name}" has no Kubernetes Service of the same name`);
      return { name, url: urls[name], sdl: fs.readFileSync(file, 'utf8') };
    }),
  );
}

/** @returns subgraph name → routing URL of a supergraph SDL (re-exported for the tests) */
export function routingUrls(supergraphSdl: string): Record<string, string> {
  return subgraphUrls(supergraphSdl);
}
