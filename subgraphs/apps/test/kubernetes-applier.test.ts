import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createKubernetesApplier } from '../src/drivers/kubernetes.applier';
import { renderRelease } from '../src/kubernetes/release.renderer';

// No cluster runs on these machines: this checks that the ES-module client loads from CommonJS, reads
// the kubeconfig and really sends the server-side apply, whose failure reaches the caller.
describe('createKubernetesApplier', () => {
  it('loads @kubernetes/client-node, reads the kubeconfig and surfaces an unreachable cluster', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-kubeconfig-'));
    const kubeconfig = path.join(dir, 'config');
    fs.writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{ name: local, cluster: { server: "https://127.0.0.1:9" } }]',
        'users: [{ name: tester, user: { token: "t" } }]',
        'contexts: [{ name: local, context: { cluster: local, user: tester, namespace: aic-apps } }]',
        'current-context: local',
      ].join('\n'),
    );
    const objects = renderRelease({
      application: { id: 'app-1', name: 'Probe' },
      environment: 'dev',
      revision: 1,
      namespace: 'aic-apps',
      image: 'ghcr.io/aic-platform/inference:test',
      endpoints: [{ id: 'ep-1', name: 'main', weight: 100, modelVersionIds: ['mv-1'] }],
      config: { version: 0, values: {}, secrets: [] },
      resources: {},
      scaling: null,
      replicas: 1,
    });
    try {
      await expect(createKubernetesApplier(kubeconfig).apply(objects)).rejects.toThrow(
        /ECONNREFUSED|fetch failed|connect/i,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
