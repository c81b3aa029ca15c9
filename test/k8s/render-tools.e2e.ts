// The checking tools themselves: the renderer follows kustomize's semantics for the features used, and
// the schema and invariant checks do fail on the mistakes they exist to catch.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as inv from '../../k8s/tools/invariants';
import { applyJson6902, strategicMerge } from '../../k8s/tools/patch';
import { RenderError, renderKustomization, type K8sObject } from '../../k8s/tools/render';
import { validateObject } from '../../k8s/tools/schemas';

const base = renderKustomization(path.resolve(__dirname, '..', '..', 'k8s', 'base'));
const pick = (kind: string, name: string) =>
  structuredClone(base.find((o) => o.kind === kind && o.metadata.name === name)!) as K8sObject & { spec: any };

describe('schema validation', () => {
  it('rejects unknown fields at any depth, in Kubernetes and Istio objects and in custom resources', () => {
    const d = pick('Deployment', 'models');
    d.spec.template.spec.containers[0].readinessprobe = d.spec.template.spec.containers[0].readinessProbe;
    expect(validateObject(d)).toEqual([
      'apps/v1/Deployment aic-ai/models: unknown field .spec.template.spec.containers[0].readinessprobe',
    ]);
    const vs = pick('VirtualService', 'inference');
    vs.spec.http[1].route[0].wieght = 5;
    expect(validateObject(vs)[0]).toContain('unknown field .spec.http[1].route[0].wieght');
    const sm = pick('ServiceMonitor', 'aic-platform');
    sm.spec.endpoints[0].intervall = '15s';
    expect(validateObject(sm)).toEqual([
      'monitoring.coreos.com/v1/ServiceMonitor aic-observability/aic-platform: .spec.endpoints[0].intervall is not a known field',
    ]);
  });

  it('rejects wrong types and unregistered kinds', () => {
    const hpa = pick('HorizontalPodAutoscaler', 'gateway');
    hpa.spec.minReplicas = 'two';
    expect(validateObject(hpa)[0]).toMatch(/minReplicas must be integer/);
    expect(validateObject({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      'example.com/v1/Widget /w: no schema registered for this kind',
    ]);
  });
});

describe('invariants', () => {
  it('catch missing probes, writable root filesystems, GPU requests, unpinned images and literal secrets', () => {
    const d = pick('Deployment', 'catalog');
    const c = d.spec.template.spec.containers[0];
    delete c.livenessProbe;
    c.securityContext.readOnlyRootFilesystem = false;
    c.resources.requests['nvidia.com/gpu'] = 1;
    c.image = 'ghcr.io/aic-platform/aic-platform:latest';
    c.env.push(
      { name: 'AIC_SERVICE_SECRET', value: 'hunter2' },
      { name: 'MIRROR', value: 'postgresql://aic:s3cret@db.internal/aic' },
    );
    const objects = [d];
    expect(inv.checkContainers(objects)).toEqual([
      'Deployment aic-apps/catalog container catalog: no livenessProbe',
      'Deployment aic-apps/catalog container catalog: readOnlyRootFilesystem must be true',
    ]);
    expect(inv.checkGpu(objects)).toEqual([
      'Deployment aic-apps/catalog container catalog: nvidia.com/gpu in requests (limits only)',
    ]);
    expect(inv.checkImages(objects)).toEqual([
      'Deployment aic-apps/catalog container catalog: image "ghcr.io/aic-platform/aic-platform:latest" is not pinned by tag or digest',
    ]);
    const secrets = inv.checkNoSecretValues(objects);
    expect(secrets).toContain(
      'Deployment aic-apps/catalog container catalog: AIC_SERVICE_SECRET has a literal value (use secretKeyRef)',
    );
    expect(secrets.some((s) => s.endsWith('contains a URL with a password'))).toBe(true);
  });

  it('catch a GPU outside inference/training and a GPU pod off the GPU pool', () => {
    const d = pick('Deployment', 'synthetic');
    d.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] = 1;
    expect(inv.checkGpu([d])).toEqual([
      'Deployment aic-ai/synthetic container synthetic: nvidia.com/gpu outside inference/training',
      'Deployment aic-ai/synthetic: GPU pod without nodeSelector aic.io/node-pool=gpu',
      'Deployment aic-ai/synthetic: GPU pod without toleration nvidia.com/gpu=present:NoSchedule',
    ]);
  });

  it('catch a grace period shorter than preStop + drain', () => {
    const d = pick('Deployment', 'gateway');
    d.spec.template.spec.terminationGracePeriodSeconds = 20;
    expect(inv.checkGracefulShutdown([d], 15)).toEqual([
      'Deployment aic-system/gateway: terminationGracePeriodSeconds 20 must exceed preStop + drain (20s) by more than 10s',
    ]);
  });
});

describe('patches', () => {
  // Expected values are what `kubectl kustomize` (kustomize v5.5.0) produced for the same input.
  it('merge named lists by name (patch items first), delete with null and $patch: delete, replace other lists', () => {
    const pod = {
      containers: [
        {
          name: 'a',
          image: 'x:1',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ],
      tolerations: [{ key: 'k' }],
      nodeSelector: { pool: 'apps', zone: 'a' },
    };
    const out = strategicMerge(pod, {
      containers: [
        {
          name: 'a',
          env: [
            { name: 'B', $patch: 'delete' },
            { name: 'C', value: '3' },
          ],
        },
        { name: 'b', image: 'y:2' },
      ],
      tolerations: [{ key: 'gpu' }],
      nodeSelector: { zone: null },
    });
    expect(out).toEqual({
      containers: [
        {
          name: 'a',
          image: 'x:1',
          env: [
            { name: 'C', value: '3' },
            { name: 'A', value: '1' },
          ],
        },
        { name: 'b', image: 'y:2' },
      ],
      tolerations: [{ key: 'gpu' }],
      nodeSelector: { pool: 'apps' },
    });
    expect(pod.containers[0]!.env).toHaveLength(2);
  });

  it('apply JSON 6902 add/replace/remove and refuse missing paths', () => {
    const obj = { spec: { replicas: 2, list: [1, 2] } };
    expect(
      applyJson6902(obj, [
        { op: 'replace', path: '/spec/replicas', value: 3 },
        { op: 'add', path: '/spec/list/-', value: 9 },
        { op: 'remove', path: '/spec/list/0' },
      ]),
    ).toEqual({ spec: { replicas: 3, list: [2, 9] } });
    expect(() => applyJson6902(obj, [{ op: 'replace', path: '/spec/missing', value: 1 }])).toThrow(/does not exist/);
  });
});

describe('renderer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-render-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };

  it('hashes generated ConfigMaps, rewrites references, merges overlay generators and sets images', () => {
    write('base/app.env', 'A=1\n# comment\nB=2\n');
    write(
      'base/deploy.yaml',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d, namespace: n }\nspec:\n  selector: { matchLabels: { a: b } }\n  template:\n    metadata: { labels: { a: b } }\n    spec:\n      containers: [{ name: c, image: "reg/img:1", envFrom: [{ configMapRef: { name: cfg } }] }]\n',
    );
    write(
      'base/kustomization.yaml',
      'resources: [deploy.yaml]\nconfigMapGenerator:\n  - { name: cfg, namespace: n, envs: [app.env] }\n',
    );
    write(
      'overlay/kustomization.yaml',
      'resources: [../base]\nconfigMapGenerator:\n  - { name: cfg, namespace: n, behavior: merge, literals: [B=3] }\nimages:\n  - { name: reg/img, newName: other/img, newTag: "2" }\n',
    );
    const [deploy, cm] = renderKustomization(path.join(dir, 'overlay')) as any[];
    expect(cm.data).toEqual({ A: '1', B: '3' });
    expect(cm.metadata.name).toMatch(/^cfg-[0-9a-f]{10}$/);
    expect(deploy.spec.template.spec.containers[0].envFrom[0].configMapRef.name).toBe(cm.metadata.name);
    expect(deploy.spec.template.spec.containers[0].image).toBe('other/img:2');
    const [, baseCm] = renderKustomization(path.join(dir, 'base')) as any[];
    expect(baseCm.metadata.name).not.toBe(cm.metadata.name);
  });

  it('refuses features it does not implement and files outside the kustomization root', () => {
    write('unsupported/kustomization.yaml', 'resources: []\nnamePrefix: x-\n');
    expect(() => renderKustomization(path.join(dir, 'unsupported'))).toThrow(RenderError);
    write('outside/kustomization.yaml', 'configMapGenerator:\n  - { name: c, files: [../base/app.env] }\n');
    expect(() => renderKustomization(path.join(dir, 'outside'))).toThrow(/outside the kustomization root/);
  });
});
