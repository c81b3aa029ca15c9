import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { createKubernetesApplier } from '../src/drivers/kubernetes.applier';
import { renderRelease } from '../src/kubernetes/release.renderer';

const objects = () =>
  renderRelease({
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

// No cluster runs on these machines: this checks that the ES-module client loads from CommonJS, reads
// the kubeconfig or the pod's service account, and really sends the server-side apply.
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
    try {
      await expect(createKubernetesApplier({ kind: 'kubeconfig', path: kubeconfig }).apply(objects())).rejects.toThrow(
        /ECONNREFUSED|fetch failed|connect/i,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('in a pod (KUBERNETES_SERVICE_HOST, no kubeconfig): applies over HTTPS with the mounted CA and service account token', async () => {
    expect(loadConfig({}).kubernetes.access).toBeUndefined();
    expect(
      loadConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }).kubernetes.access,
    ).toEqual({
      kind: 'in-cluster',
      host: '10.96.0.1',
      port: 443,
      serviceAccountDir: '/var/run/secrets/kubernetes.io/serviceaccount',
    });
    // The service account folder the kubelet mounts: a CA the API server's certificate is signed by, a token.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-serviceaccount-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'].concat([
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'tls.key'),
        '-out',
        path.join(dir, 'ca.crt'),
      ]),
      { stdio: 'ignore' },
    );
    fs.writeFileSync(path.join(dir, 'token'), 'sa-token-of-apps');
    fs.writeFileSync(path.join(dir, 'namespace'), 'aic-apps');
    const seen: { method?: string; url?: string; authorization?: string }[] = [];
    const server = https.createServer(
      { key: fs.readFileSync(path.join(dir, 'tls.key')), cert: fs.readFileSync(path.join(dir, 'ca.crt')) },
      (req, res) => {
        seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
        req.resume();
        req.on('end', () => {
          res.writeHead(403, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403 }),
          );
        });
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const applier = createKubernetesApplier({
        kind: 'in-cluster',
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        serviceAccountDir: dir,
      });
      await expect(applier.apply(objects())).rejects.toMatchObject({ code: 403 });
      // The object client first asks the API server what apps/v1 serves: over TLS verified by the CA, with the token.
      expect(seen[0]).toEqual({ method: 'GET', url: '/apis/apps/v1', authorization: 'Bearer sa-token-of-apps' });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
