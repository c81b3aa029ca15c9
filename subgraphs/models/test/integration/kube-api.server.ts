import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

/** One request as the API server received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
}

/** A Job object as stored: what the client sent plus what the API server sets. */
export type StoredJob = Record<string, any>;

/**
 * A local HTTP server that answers the Kubernetes API calls of the training executor the way the API
 * server does (batch/v1 Jobs: create, read, read status, delete; v1 pods: list; Status objects for
 * errors) and records every request. Tests drive the Jobs' status through `jobs` and `pods`, and
 * `onCreate` plays the Job controller (e.g. starts the worker process the Job's pod would run).
 */
export async function startKubeApiServer(options: { onCreate?: (job: StoredJob) => void } = {}) {
  const requests: RecordedRequest[] = [];
  const jobs = new Map<string, StoredJob>();
  const pods: Record<string, any>[] = [];
  const template = storedTemplate();
  jobs.set(template.metadata.name, template);

  const status = (code: number, reason: string, message: string) => ({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 300 ? 'Success' : 'Failure',
    message,
    reason,
    code,
  });

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = raw ? JSON.parse(raw) : undefined;
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
      });
      const send = (code: number, value: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      const jobPath = /^\/apis\/batch\/v1\/namespaces\/([^/]+)\/jobs(?:\/([^/]+))?(\/status)?$/.exec(url.pathname);
      if (jobPath) {
        const [, namespace, name] = jobPath;
        if (req.method === 'POST' && !name) {
          const jobName = String(body?.metadata?.name);
          if (jobs.has(jobName))
            return send(409, status(409, 'AlreadyExists', `jobs.batch "${jobName}" already exists`));
          const uid = randomUUID();
          const stored: StoredJob = {
            ...body,
            metadata: {
              ...body.metadata,
              namespace,
              uid,
              resourceVersion: '1',
              creationTimestamp: new Date().toISOString(),
            },
            status: { active: 1, ready: 0, startTime: new Date().toISOString() },
          };
          jobs.set(jobName, stored);
          options.onCreate?.(stored);
          return send(201, stored);
        }
        const job = name ? jobs.get(name) : undefined;
        if (!job) return send(404, status(404, 'NotFound', `jobs.batch "${name}" not found`));
        if (req.method === 'GET') return send(200, job);
        if (req.method === 'DELETE') {
          jobs.delete(name!);
          return send(200, status(200, 'Success', ''));
        }
      }
      if (req.method === 'GET' && /^\/api\/v1\/namespaces\/[^/]+\/pods$/.test(url.pathname)) {
        const [key, value] = (url.searchParams.get('labelSelector') ?? '').split('=');
        const items = pods.filter((p) => !key || p.metadata?.labels?.[key] === value);
        return send(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items });
      }
      send(404, status(404, 'NotFound', `${req.method} ${url.pathname} not found`));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-kubeconfig-'));
  const kubeconfigPath = path.join(dir, 'config');
  fs.writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      // Plain HTTP: the client refuses it unless TLS verification is off, as for any non-TLS API server.
      `clusters: [{ name: local, cluster: { server: "${url}", "insecure-skip-tls-verify": true } }]`,
      'users: [{ name: models, user: { token: "test-token" } }]',
      'contexts: [{ name: local, context: { cluster: local, user: models, namespace: aic-ai } }]',
      'current-context: local',
    ].join('\n'),
  );
  return {
    url,
    kubeconfigPath,
    requests,
    jobs,
    pods,
    /** Requests other than the test's own, as `METHOD path`. */
    calls: () => requests.map((r) => `${r.method} ${r.path}`),
    /** Sets a Job's terminal condition like the Job controller does. */
    finishJob(name: string, outcome: 'Complete' | 'Failed', reason: string, message: string) {
      const job = jobs.get(name);
      if (!job) return;
      const now = new Date().toISOString();
      const criteria = outcome === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
      job.status = {
        ...(outcome === 'Complete' ? { succeeded: 1 } : { failed: 1 }),
        active: 0,
        startTime: job.status?.startTime,
        ...(outcome === 'Complete' ? { completionTime: now } : {}),
        conditions: [
          { type: criteria, status: 'True', reason, message, lastProbeTime: now, lastTransitionTime: now },
          { type: outcome, status: 'True', reason, message, lastProbeTime: now, lastTransitionTime: now },
        ],
      };
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The template Job as the API server stores it: with the selector and the labels it adds. */
function storedTemplate(): StoredJob {
  const file = path.resolve(__dirname, '../../../../k8s/base/training/job-template.yaml');
  const template = parse(fs.readFileSync(file, 'utf8'));
  const uid = randomUUID();
  template.metadata = { ...template.metadata, uid, resourceVersion: '7', creationTimestamp: new Date().toISOString() };
  template.spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
  template.spec.template.metadata.labels = {
    ...template.spec.template.metadata.labels,
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': template.metadata.name,
    'controller-uid': uid,
    'job-name': template.metadata.name,
  };
  template.status = {};
  return template;
}
