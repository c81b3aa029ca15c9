// A small evaluator of the rendered policies, for one request from a pod to a pod: Kubernetes
// NetworkPolicy (egress at the source, ingress at the destination: pod/namespace selectors, ipBlock,
// ports) and Istio AuthorizationPolicy (ALLOW/DENY, source principals/namespaces, operation
// methods/paths/ports). Fields it does not implement throw, so a policy it cannot read never passes.
import type { K8sObject } from '../../../k8s/tools/render';

type Json = Record<string, any>;

/** One end of a connection: a pod (labels, namespace, service account) or an address outside the cluster. */
export interface Endpoint {
  namespace?: string;
  labels?: Record<string, string>;
  serviceAccount?: string;
  /** For addresses outside the cluster (databases, cloud APIs). */
  ip?: string;
}

export interface Request {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol?: 'TCP' | 'UDP';
  /** HTTP method and path (without the query): only for AuthorizationPolicy. */
  method?: string;
  path?: string;
}

export interface Verdict {
  allowed: boolean;
  /** Why not, when denied. */
  reason?: string;
}

function labelSelectorMatches(selector: Json | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const key of Object.keys(selector))
    if (key !== 'matchLabels' && key !== 'matchExpressions') throw new Error(`selector field ${key}`);
  for (const [k, v] of Object.entries((selector.matchLabels ?? {}) as Record<string, string>))
    if (labels[k] !== v) return false;
  for (const e of (selector.matchExpressions ?? []) as Json[]) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    if (e.operator === 'In' && !(has && e.values.includes(value))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(value)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) throw new Error(`operator ${e.operator}`);
  }
  return true;
}

function ipv4(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`ip ${ip}`);
  return parts.reduce((n, p) => n * 256 + p, 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipv4(base!) / size) * size;
  const n = ipv4(ip);
  return n >= start && n < start + size;
}

/** The labels of a namespace as the cluster sets them (the manifest's plus kubernetes.io/metadata.name). */
export function namespaceLabels(objects: K8sObject[], name: string): Record<string, string> {
  const ns = objects.find((o) => o.kind === 'Namespace' && o.metadata.name === name);
  return { ...(ns?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
}

function peerMatches(objects: K8sObject[], peer: Json, policyNs: string, other: Endpoint): boolean {
  for (const key of Object.keys(peer))
    if (!['podSelector', 'namespaceSelector', 'ipBlock'].includes(key)) throw new Error(`peer field ${key}`);
  if (peer.ipBlock) {
    if (other.ip === undefined) return false; // pods are matched by selectors here, not by address
    const except = (peer.ipBlock.except ?? []) as string[];
    return inCidr(other.ip, peer.ipBlock.cidr) && !except.some((c) => inCidr(other.ip!, c));
  }
  if (other.ip !== undefined || other.namespace === undefined) return false;
  const nsOk = peer.namespaceSelector
    ? labelSelectorMatches(peer.namespaceSelector, namespaceLabels(objects, other.namespace))
    : other.namespace === policyNs;
  return nsOk && labelSelectorMatches(peer.podSelector, other.labels ?? {});
}

function portMatches(ports: Json[] | undefined, port: number, protocol: string): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if (typeof p.port === 'string') throw new Error(`named port ${p.port}`);
    const proto = p.protocol ?? 'TCP';
    const end = p.endPort ?? p.port;
    return proto === protocol && (p.port === undefined || (port >= p.port && port <= end));
  });
}

/** NetworkPolicy in one direction at one pod: isolated pods admit only what some policy's rule admits. */
function networkDirection(
  objects: K8sObject[],
  direction: 'Ingress' | 'Egress',
  pod: Endpoint,
  other: Endpoint,
  port: number,
  protocol: string,
): Verdict {
  if (pod.namespace === undefined) return { allowed: true }; // outside the cluster: no NetworkPolicy
  const policies = objects.filter(
    (o) =>
      o.kind === 'NetworkPolicy' &&
      o.metadata.namespace === pod.namespace &&
      labelSelectorMatches((o.spec as Json).podSelector, pod.labels ?? {}) &&
      (((o.spec as Json).policyTypes as string[] | undefined) ?? ['Ingress']).includes(direction),
  );
  if (policies.length === 0) return { allowed: true };
  const key = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  for (const p of policies) {
    for (const rule of ((p.spec as Json)[key] ?? []) as Json[]) {
      const peers = rule[peersKey] as Json[] | undefined;
      const peerOk =
        !peers || peers.length === 0 || peers.some((peer) => peerMatches(objects, peer, p.metadata.namespace!, other));
      if (peerOk && portMatches(rule.ports, port, protocol)) return { allowed: true };
    }
  }
  return {
    allowed: false,
    reason: `NetworkPolicy ${direction.toLowerCase()} at ${pod.namespace}/${pod.labels?.['app.kubernetes.io/name'] ?? '?'} (${policies.map((p) => p.metadata.name).join(', ')})`,
  };
}

/** Istio's path match: exact, `prefix*`, `*suffix` or `*`. */
export function istioPathMatches(pattern: string, path: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return path.endsWith(pattern.slice(1));
  return pattern === path;
}

function principalOf(e: Endpoint): string | undefined {
  return e.namespace && e.serviceAccount ? `cluster.local/ns/${e.namespace}/sa/${e.serviceAccount}` : undefined;
}

const anyOf = (patterns: string[] | undefined, value: string | undefined, match = (p: string, v: string) => p === v) =>
  patterns === undefined || (value !== undefined && patterns.some((p) => match(p, value)));
const noneOf = (patterns: string[] | undefined, value: string | undefined, match = (p: string, v: string) => p === v) =>
  patterns === undefined || value === undefined || !patterns.some((p) => match(p, value));
const istioString = (p: string, v: string) => istioPathMatches(p, v);

function sourceMatches(source: Json, req: Request): boolean {
  for (const key of Object.keys(source))
    if (!['principals', 'notPrincipals', 'namespaces', 'notNamespaces'].includes(key))
      throw new Error(`source field ${key}`);
  const principal = principalOf(req.from);
  return (
    anyOf(source.principals, principal, istioString) &&
    noneOf(source.notPrincipals, principal, istioString) &&
    anyOf(source.namespaces, req.from.namespace, istioString) &&
    noneOf(source.notNamespaces, req.from.namespace, istioString)
  );
}

function operationMatches(op: Json, req: Request): boolean {
  for (const key of Object.keys(op))
    if (!['methods', 'notMethods', 'paths', 'notPaths', 'ports', 'notPorts'].includes(key))
      throw new Error(`operation field ${key}`);
  return (
    anyOf(op.methods, req.method) &&
    noneOf(op.notMethods, req.method) &&
    anyOf(op.paths, req.path, istioPathMatches) &&
    noneOf(op.notPaths, req.path, istioPathMatches) &&
    anyOf(op.ports, String(req.port)) &&
    noneOf(op.notPorts, String(req.port))
  );
}

function ruleMatches(rule: Json, req: Request): boolean {
  for (const key of Object.keys(rule)) if (!['from', 'to'].includes(key)) throw new Error(`rule field ${key}`);
  const fromOk = !rule.from || (rule.from as Json[]).some((f) => sourceMatches(f.source ?? {}, req));
  const toOk = !rule.to || (rule.to as Json[]).some((t) => operationMatches(t.operation ?? {}, req));
  return fromOk && toOk;
}

/** Istio authorization at the destination's sidecar (root namespace istio-system, then its own). */
function authorization(objects: K8sObject[], req: Request): Verdict {
  const to = req.to;
  if (to.namespace === undefined) return { allowed: true };
  const applies = objects.filter(
    (o) =>
      o.kind === 'AuthorizationPolicy' &&
      (o.metadata.namespace === to.namespace || o.metadata.namespace === 'istio-system') &&
      labelSelectorMatches((o.spec as Json)?.selector, to.labels ?? {}),
  );
  const action = (o: K8sObject) => ((o.spec as Json)?.action ?? 'ALLOW') as string;
  for (const o of applies) if (!['ALLOW', 'DENY'].includes(action(o))) throw new Error(`action ${action(o)}`);
  const rules = (o: K8sObject) => ((o.spec as Json)?.rules ?? []) as Json[];
  const deny = applies.find((o) => action(o) === 'DENY' && rules(o).some((r) => ruleMatches(r, req)));
  if (deny)
    return { allowed: false, reason: `AuthorizationPolicy ${deny.metadata.namespace}/${deny.metadata.name} denies` };
  const allows = applies.filter((o) => action(o) === 'ALLOW');
  if (allows.length === 0) return { allowed: true };
  if (allows.some((o) => rules(o).some((r) => ruleMatches(r, req)))) return { allowed: true };
  return {
    allowed: false,
    reason: `no AuthorizationPolicy rule allows ${principalOf(req.from)} ${req.method} ${req.path} (${allows.map((o) => o.metadata.name).join(', ')})`,
  };
}

/**
 * Whether the rendered policies let the request through: egress at the source, ingress at the
 * destination, and (for HTTP requests to a pod) Istio authorization.
 */
export function evaluate(objects: K8sObject[], req: Request): Verdict {
  const protocol = req.protocol ?? 'TCP';
  const egress = networkDirection(objects, 'Egress', req.from, req.to, req.port, protocol);
  if (!egress.allowed) return egress;
  const ingress = networkDirection(objects, 'Ingress', req.to, req.from, req.port, protocol);
  if (!ingress.allowed) return ingress;
  if (req.path !== undefined) return authorization(objects, req);
  return { allowed: true };
}
