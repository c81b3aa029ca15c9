// `npx tsx k8s/tools/sync-supergraph.ts`: rewrites k8s/base/gateway/supergraph.graphql from the
// repository's composed supergraph with in-cluster routing URLs. Run it after `npm run compose`.
import fs from 'node:fs';
import path from 'node:path';
import { renderKustomization } from './render';
import { K8S_SUPERGRAPH_PATH, buildK8sSupergraph, serviceGraphqlUrls } from './supergraph';

const root = path.resolve(__dirname, '..', '..');
const sdl = buildK8sSupergraph(root, serviceGraphqlUrls(renderKustomization(path.join(root, 'k8s', 'base'))));
fs.writeFileSync(path.join(root, K8S_SUPERGRAPH_PATH), sdl);
console.log(`wrote ${K8S_SUPERGRAPH_PATH}`);
