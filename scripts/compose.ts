// `npm run compose`: supergraph.yaml -> supergraph.graphql, with @apollo/composition in-process
// (what `rover supergraph compose` does). Exits non-zero with the composition errors.
import fs from 'node:fs';
import path from 'node:path';
import { composeFromConfig } from '../lib/src/compose';
import { getEnvStr } from '../lib/src/env';
import { renderKustomization } from '../k8s/tools/render';
import { K8S_SUPERGRAPH_PATH, buildK8sSupergraph, serviceGraphqlUrls } from '../k8s/tools/supergraph';

async function main() {
  const root = path.resolve(__dirname, '..');
  const yamlPath = path.resolve(process.argv[2] ?? path.join(root, 'supergraph.yaml'));
  const outPath = path.resolve(process.argv[3] ?? path.join(root, 'supergraph.graphql'));
  // Production subgraphs named by `schema.subgraph_url` answer `_service` only to the service secret.
  const sdl = await composeFromConfig(yamlPath, { serviceSecret: getEnvStr(process.env, 'AIC_SERVICE_SECRET') });
  fs.writeFileSync(outPath, sdl);
  console.log(`composed ${path.relative(process.cwd(), yamlPath)} -> ${path.relative(process.cwd(), outPath)}`);
  // The cluster's copy: the same supergraph with in-cluster routing URLs (kustomize reads only inside k8s/).
  if (!process.argv[2]) {
    fs.writeFileSync(
      path.join(root, K8S_SUPERGRAPH_PATH),
      buildK8sSupergraph(root, serviceGraphqlUrls(renderKustomization(path.join(root, 'k8s', 'base')))),
    );
    console.log(`composed the cluster copy -> ${K8S_SUPERGRAPH_PATH}`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
