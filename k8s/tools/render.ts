// The subset of kustomize this repository's manifests use, so tests render overlays without kubectl:
// resources (files and directories), configMapGenerator (files, envs, literals, options, behavior
// merge/replace), images, patches (strategic merge or JSON 6902, with or without a target) and the
// ConfigMap hash suffix with name references in pod specs. Anything else in a kustomization is an
// error rather than being silently ignored.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import YAML from 'yaml';
import { applyJson6902, type JsonPatchOp, strategicMerge } from './patch';

/** A rendered Kubernetes object. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface GeneratorArgs {
  name: string;
  namespace?: string;
  behavior?: 'create' | 'merge' | 'replace';
  files?: string[];
  envs?: string[];
  literals?: string[];
  options?: { disableNameSuffixHash?: boolean; labels?: Record<string, string>; annotations?: Record<string, string> };
}

interface PatchArgs {
  path?: string;
  patch?: string;
  target?: { kind?: string; name?: string; namespace?: string; labelSelector?: string };
}

interface ImageArgs {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  configMapGenerator?: GeneratorArgs[];
  patches?: PatchArgs[];
  images?: ImageArgs[];
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'resources', 'configMapGenerator', 'patches', 'images']);

/** Thrown when a kustomization uses something this renderer does not implement or is inconsistent. */
export class RenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderError';
  }
}

/** Objects of one kustomization layer, plus which ConfigMaps were generated (and get a hash suffix). */
interface Layer {
  objects: K8sObject[];
  hashed: Set<K8sObject>;
}

/**
 * Renders a kustomization directory the way `kubectl kustomize <dir>` does for the features listed above.
 * @returns the objects in resource order, generated ConfigMaps last
 */
export function renderKustomization(dir: string): K8sObject[] {
  const layer = loadLayer(path.resolve(dir));
  finishHashes(layer);
  return layer.objects;
}

/** Parses every document of a multi-document YAML file into objects (empty documents skipped). */
export function readManifestFile(file: string): K8sObject[] {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const out: K8sObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length) throw new RenderError(`${file}: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value === null || value === undefined) continue;
    if (!value.apiVersion || !value.kind || !value.metadata?.name)
      throw new RenderError(`${file}: a document lacks apiVersion, kind or metadata.name`);
    out.push(value);
  }
  return out;
}

function loadLayer(dir: string): Layer {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((f) => path.join(dir, f))
    .find((f) => fs.existsSync(f));
  if (!file) throw new RenderError(`${dir}: no kustomization.yaml`);
  const k = YAML.parse(fs.readFileSync(file, 'utf8')) as Kustomization;
  for (const key of Object.keys(k))
    if (!SUPPORTED.has(key)) throw new RenderError(`${file}: "${key}" is not supported by k8s/tools/render.ts`);
  const layer: Layer = { objects: [], hashed: new Set() };
  for (const res of k.resources ?? []) {
    const target = inside(dir, res);
    if (fs.statSync(target).isDirectory()) {
      const sub = loadLayer(target);
      layer.objects.push(...sub.objects);
      for (const o of sub.hashed) layer.hashed.add(o);
    } else {
      layer.objects.push(...readManifestFile(target));
    }
  }
  for (const gen of k.configMapGenerator ?? []) generate(dir, gen, layer);
  assertUnique(layer.objects, file);
  for (const p of k.patches ?? []) applyPatch(dir, p, layer.objects);
  for (const img of k.images ?? []) setImages(layer.objects, img);
  return layer;
}

/** Resolves a path of a kustomization, refusing to leave its root (kustomize's default load restrictor). */
function inside(dir: string, rel: string): string {
  const target = path.resolve(dir, rel);
  const isResourceDir = fs.existsSync(target) && fs.statSync(target).isDirectory();
  if (!isResourceDir && path.relative(dir, target).startsWith('..'))
    throw new RenderError(`${dir}: "${rel}" is outside the kustomization root`);
  if (!fs.existsSync(target)) throw new RenderError(`${dir}: "${rel}" does not exist`);
  return target;
}

function parseEnvFile(text: string, where: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new RenderError(`${where}: "${line}" is not KEY=VALUE`);
    data[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return data;
}

function generate(dir: string, gen: GeneratorArgs, layer: Layer): void {
  const data: Record<string, string> = {};
  for (const entry of gen.files ?? []) {
    const [key, rel] = entry.includes('=') ? entry.split('=', 2) : [path.basename(entry), entry];
    if (key === undefined || rel === undefined)
      throw new RenderError(`${gen.name}: "${entry}" is not KEY=FILE or FILE`);
    data[key] = fs.readFileSync(inside(dir, rel), 'utf8');
  }
  for (const rel of gen.envs ?? []) Object.assign(data, parseEnvFile(fs.readFileSync(inside(dir, rel), 'utf8'), rel));
  Object.assign(data, parseEnvFile((gen.literals ?? []).join('\n'), `${gen.name} literals`));
  const existing = layer.objects.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name === gen.name && o.metadata.namespace === gen.namespace,
  );
  const behavior = gen.behavior ?? 'create';
  if (behavior !== 'create') {
    if (!existing)
      throw new RenderError(`configMapGenerator ${gen.name}: behavior ${behavior} but no ConfigMap to ${behavior}`);
    existing.data = behavior === 'merge' ? { ...(existing.data as Record<string, string>), ...data } : data;
    return;
  }
  const cm: K8sObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: gen.name,
      ...(gen.namespace ? { namespace: gen.namespace } : {}),
      ...(gen.options?.labels ? { labels: gen.options.labels } : {}),
      ...(gen.options?.annotations ? { annotations: gen.options.annotations } : {}),
    },
    data,
  };
  layer.objects.push(cm);
  if (!gen.options?.disableNameSuffixHash) layer.hashed.add(cm);
}

function assertUnique(objects: K8sObject[], where: string): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const id = `${o.apiVersion.split('/').length > 1 ? o.apiVersion.split('/')[0] : ''}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (seen.has(id)) throw new RenderError(`${where}: ${id} is defined twice`);
    seen.add(id);
  }
}

function matchesLabels(o: K8sObject, selector: string): boolean {
  return selector.split(',').every((term) => {
    const [k = '', v] = term.split('=').map((s) => s.trim());
    return v === undefined ? o.metadata.labels?.[k] !== undefined : o.metadata.labels?.[k] === v;
  });
}

function applyPatch(dir: string, p: PatchArgs, objects: K8sObject[]): void {
  const text = p.path ? fs.readFileSync(inside(dir, p.path), 'utf8') : p.patch;
  if (!text) throw new RenderError(`${dir}: a patch needs path or patch`);
  const parsed = YAML.parse(text) as unknown;
  let targets: K8sObject[];
  if (p.target) {
    const t = p.target;
    targets = objects.filter(
      (o) =>
        (!t.kind || o.kind === t.kind) &&
        (!t.name || new RegExp(`^(?:${t.name})$`).test(o.metadata.name)) &&
        (!t.namespace || o.metadata.namespace === t.namespace) &&
        (!t.labelSelector || matchesLabels(o, t.labelSelector)),
    );
  } else {
    if (Array.isArray(parsed)) throw new RenderError(`${dir}: a JSON 6902 patch needs a target`);
    const pm = parsed as K8sObject;
    targets = objects.filter(
      (o) =>
        o.kind === pm.kind &&
        o.metadata.name === pm.metadata?.name &&
        (!pm.metadata.namespace || o.metadata.namespace === pm.metadata.namespace),
    );
  }
  if (targets.length === 0)
    throw new RenderError(`${dir}: patch ${p.path ?? JSON.stringify(p.target)} matches no object`);
  for (const target of targets) {
    const patched = Array.isArray(parsed)
      ? applyJson6902(target, parsed as JsonPatchOp[])
      : strategicMerge(target, stripIdentity(parsed as K8sObject, !!p.target));
    for (const key of Object.keys(target)) delete (target as Record<string, unknown>)[key];
    Object.assign(target, patched);
  }
}

/** With a target, the patch's own name/namespace only identify it and must not rename the objects. */
function stripIdentity(patch: K8sObject, hasTarget: boolean): Record<string, unknown> {
  if (!hasTarget || !patch.metadata) return patch;
  const metadata: Record<string, unknown> = { ...patch.metadata };
  delete metadata.name;
  delete metadata.namespace;
  return { ...patch, metadata };
}

/** Every pod spec inside an object (workloads, Jobs, CronJobs, bare Pods). */
export function podSpecs(o: K8sObject): IPodSpec[] {
  type WithTemplate = { template?: { spec?: IPodSpec } };
  const spec = o.spec as (WithTemplate & { jobTemplate?: { spec?: WithTemplate } }) | undefined;
  if (!spec) return [];
  if (o.kind === 'Pod') return [spec as IPodSpec];
  if (o.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec ? [spec.jobTemplate.spec.template.spec] : [];
  return spec.template?.spec ? [spec.template.spec] : [];
}

function containersOf(pod: IPodSpec): IContainer[] {
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

function setImages(objects: K8sObject[], img: ImageArgs): void {
  for (const o of objects) {
    for (const pod of podSpecs(o)) {
      for (const c of containersOf(pod)) {
        const ref = String(c.image);
        const at = ref.indexOf('@');
        const colon = ref.lastIndexOf(':');
        const name = at >= 0 ? ref.slice(0, at) : colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
        if (name !== img.name) continue;
        const oldTag = at < 0 && colon > ref.lastIndexOf('/') ? ref.slice(colon + 1) : undefined;
        const base = img.newName ?? name;
        c.image = img.digest
          ? `${base}@${img.digest}`
          : `${base}${img.newTag ? `:${img.newTag}` : oldTag ? `:${oldTag}` : ''}`;
      }
    }
  }
}

/** Appends the content hash to generated ConfigMap names and rewrites the pod specs that use them. */
function finishHashes(layer: Layer): void {
  for (const cm of layer.hashed) {
    const hash = createHash('sha256')
      .update(JSON.stringify({ kind: cm.kind, name: cm.metadata.name, data: cm.data }))
      .digest('hex')
      .slice(0, 10);
    const from = cm.metadata.name;
    const to = `${from}-${hash}`;
    cm.metadata.name = to;
    for (const o of layer.objects) {
      if (o.metadata.namespace !== cm.metadata.namespace) continue;
      for (const pod of podSpecs(o)) {
        for (const v of pod.volumes ?? []) {
          if (v.configMap?.name === from) v.configMap.name = to;
          for (const src of v.projected?.sources ?? []) if (src.configMap?.name === from) src.configMap.name = to;
        }
        for (const c of containersOf(pod)) {
          for (const ef of c.envFrom ?? []) if (ef.configMapRef?.name === from) ef.configMapRef.name = to;
          for (const e of c.env ?? [])
            if (e.valueFrom?.configMapKeyRef?.name === from) e.valueFrom.configMapKeyRef.name = to;
        }
      }
    }
  }
}
