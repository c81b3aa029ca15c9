// lib's LineageReporter against a real HTTP server standing for the catalog's lineage route: events
// of instant runs (deployments) are delivered in the background, retried while the catalog is down
// or busy, and logged whole when given up, never dropped silently.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineageReporter, createOpenLineageEmitter } from '../src/index';

let server: Server;
let base = '';
/** What the stand-in answers next, per job name (then 201). */
const plan = new Map<string, number[]>();
const received: { authorization?: string; body: any }[] = [];

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.post('/api/v1/lineage', (req, res) => {
    received.push({ authorization: req.headers.authorization, body: req.body });
    const status = plan.get(req.body.job.name)?.shift() ?? 201;
    res.status(status).json({ status });
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function reporter(catalogUrl = base, retryDelaysMs = [10, 10, 10]) {
  const logs: { level: string; obj: any; msg: string }[] = [];
  const logger = {
    warn: (obj: object, msg: string) => logs.push({ level: 'warn', obj, msg }),
    error: (obj: object, msg: string) => logs.push({ level: 'error', obj, msg }),
  };
  const emitter = createOpenLineageEmitter({
    catalogUrl,
    producer: 'https://example.com/test',
    authorization: async (org) => `Bearer token-of-${org}`,
    timeoutMs: 2000,
  });
  return { r: new LineageReporter(emitter, 'https://example.com/test', { logger, retryDelaysMs }), logs };
}

const run = (job: string) => ({
  job: { namespace: 'aic://inference', name: job },
  inputs: [{ namespace: 'aic://models', name: 'model-versions/m1' }],
  outputs: [{ namespace: 'aic://inference', name: 'endpoints/e1' }],
  runId: '2b1f4e1e-8a0e-4c1b-9d57-0d9a3f2d1c11',
});

describe('LineageReporter', () => {
  it('sends one COMPLETE event with the organization’s authorization', async () => {
    const { r, logs } = reporter();
    expect(await r.report('org-1', run('deploy/ok'))).toBe(true);
    const [sent] = received.filter((x) => x.body.job.name === 'deploy/ok');
    expect(sent!.authorization).toBe('Bearer token-of-org-1');
    expect(sent!.body).toMatchObject({
      eventType: 'COMPLETE',
      producer: 'https://example.com/test',
      run: { runId: '2b1f4e1e-8a0e-4c1b-9d57-0d9a3f2d1c11' },
      inputs: [{ namespace: 'aic://models', name: 'model-versions/m1' }],
      outputs: [{ namespace: 'aic://inference', name: 'endpoints/e1' }],
    });
    expect(logs).toEqual([]);
  });

  it('retries while the catalog answers 503 or 429, then delivers the same event', async () => {
    plan.set('deploy/busy', [503, 429]);
    const { r, logs } = reporter();
    expect(await r.report('org-1', run('deploy/busy'))).toBe(true);
    const sent = received.filter((x) => x.body.job.name === 'deploy/busy').map((x) => x.body);
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((e) => JSON.stringify(e))).size).toBe(1);
    expect(logs.map((l) => `${l.level} ${l.obj.attempt} ${l.msg}`)).toEqual([
      'warn 1 lineage event not delivered; retrying',
      'warn 2 lineage event not delivered; retrying',
    ]);
  });

  it('gives up after the last retry (or at once on a refused event) and logs the whole event', async () => {
    const { r, logs } = reporter('http://127.0.0.1:9', [5, 5]);
    expect(await r.report('org-2', run('deploy/unreachable'))).toBe(false);
    expect(logs.map((l) => l.level)).toEqual(['warn', 'warn', 'error']);
    expect(logs[2]).toMatchObject({
      msg: 'lineage event lost',
      obj: { attempts: 3, organizationId: 'org-2', event: { job: { name: 'deploy/unreachable' } } },
    });

    plan.set('deploy/invalid', [400]);
    const refused = reporter();
    expect(await refused.r.report('org-2', run('deploy/invalid'))).toBe(false);
    expect(received.filter((x) => x.body.job.name === 'deploy/invalid')).toHaveLength(1);
    expect(refused.logs.map((l) => `${l.level} ${l.msg}`)).toEqual(['error lineage event lost']);
  });

  it('on close, stops retrying and logs each undelivered event whole', async () => {
    const { r, logs } = reporter('http://127.0.0.1:9', [60_000]);
    const pending = r.report('org-3', run('deploy/at-shutdown'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    r.close();
    expect(logs.at(-1)).toMatchObject({
      level: 'error',
      msg: 'lineage event lost (shutdown before it was delivered)',
      obj: { organizationId: 'org-3', event: { job: { name: 'deploy/at-shutdown' } } },
    });
    await r.settled();
    expect(await pending).toBe(false);
  });
});
