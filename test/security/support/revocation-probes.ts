// Probes for revocation tests: is a token accepted or refused by the gateway (planned, pass-through
// and REST paths) and by every subgraph directly, polled until a deadline.
import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql } from '../../../lib/src/testing/harness';
import { waitFor } from '../../../lib/src/testing/wait-for';
import type { Platform } from '../../support/platform';

/** What one place answered for a token. */
interface Probe {
  where: string;
  status: number;
  code?: string;
}

const codeOf = (body: any): string | undefined => body?.errors?.[0]?.extensions?.code;

/** One request per place: the gateway's GraphQL (identity pass-through, catalog, a write to models), its REST proxy, and each subgraph. */
export async function probe(p: Platform, token: string): Promise<Probe[]> {
  const gateway = [
    p
      .call('{ me { id } }', {}, token)
      .then((r) => ({ where: 'gateway me (identity)', status: r.status, code: codeOf(r.body) })),
    p
      .call('{ datasets(first: 1) { totalCount } }', {}, token)
      .then((r) => ({ where: 'gateway datasets (catalog)', status: r.status, code: codeOf(r.body) })),
    p
      .call('query { subjects { name } models { id } }', {}, token)
      .then((r) => ({ where: 'gateway subjects+models (planned)', status: r.status, code: codeOf(r.body) })),
    p
      .call(
        'mutation($n: String!) { createModel(input: { name: $n }) { id } }',
        { n: `probe-${Math.random().toString(36).slice(2, 10)}` },
        token,
      )
      .then((r) => ({ where: 'gateway createModel (write)', status: r.status, code: codeOf(r.body) })),
    fetch(`${p.gateway.url}/schema-registry/subjects`, { headers: { authorization: `Bearer ${token}` } }).then(
      async (r) => ({ where: 'gateway REST schema-registry', status: r.status, code: r.ok ? undefined : 'REST' }),
    ),
  ];
  const direct = Object.entries(p.services).map(([name, s]) =>
    gql(s.graphqlUrl, '{ __typename }', {}, token).then((r) => ({
      where: `${name} directly`,
      status: r.status,
      code: codeOf(r.body),
    })),
  );
  return Promise.all([...gateway, ...direct]);
}

const refused = (x: Probe) => x.status === 401 && (x.code === 'UNAUTHENTICATED' || x.code === 'REST');
// A write may fail for its own reasons (a name taken ...); accepted means the token passed verification.
const accepted = (x: Probe) => x.status === 200 && x.code !== 'UNAUTHENTICATED';

/** @returns the places that did not refuse the token by the deadline (empty when all did) */
export async function notRefusedWithin(p: Platform, token: string, ms = 1000): Promise<Probe[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = (await probe(p, token)).filter((x) => !refused(x));
    if (!left.length || Date.now() >= deadline) return left;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** @returns the places that did not accept the token (empty when all did) */
export async function notAccepted(p: Platform, token: string): Promise<Probe[]> {
  return (await probe(p, token)).filter((x) => !accepted(x));
}

/** A subscription over graphql-ws, collecting what arrives. */
export function subscribe(url: string, token: string, query: string) {
  const seen: { errors: any[]; data: number; completed: boolean; closed?: number } = {
    errors: [],
    data: 0,
    completed: false,
  };
  const client = createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
  });
  let started = false;
  client.on('connected', () => (started = true));
  client.on('closed', (e: any) => (seen.closed = e?.code));
  const dispose = client.subscribe(
    { query },
    {
      next: (v: any) => {
        if (v.errors) seen.errors.push(...v.errors);
        if (v.data) seen.data += 1;
      },
      error: (e: any) => seen.errors.push(...(Array.isArray(e) ? e : [e])),
      complete: () => (seen.completed = true),
    },
  );
  return { seen, connected: () => started, close: async () => (dispose(), await client.dispose()) };
}

/** Polls `check` until it holds or `ms` pass. @returns whether it held */
export async function within(ms: number, check: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Ingests lineage events (as `token`) until `done` holds: proves lineage subscriptions are registered end to end. */
export async function ingestLineageUntil(p: Platform, token: string, done: () => boolean): Promise<void> {
  const event = (runId: string) => ({
    eventTime: new Date().toISOString(),
    eventType: 'START',
    producer: 'https://example.com/security-tests',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId },
    job: { namespace: 'aic://tests', name: 'revocation-check' },
  });
  await waitFor(
    async () => {
      if (done()) return true;
      const res = await p.call(
        'mutation($e: JSONObject!) { ingestLineageEvent(event: $e) { eventId } }',
        { e: event(randomUUID()) },
        token,
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return done();
    },
    'a lineage event to reach every subscriber',
    { intervalMs: 100 },
  );
}

/** A subscription over Apollo's multipart HTTP protocol, collecting the raw text that arrives. */
export function subscribeMultipart(graphqlUrl: string, token: string, query: string) {
  const seen = { text: '', ended: false, status: 0 };
  const aborter = new AbortController();
  const done = (async () => {
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ query }),
      signal: aborter.signal,
    });
    seen.status = res.status;
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
      seen.text += decoder.decode(chunk, { stream: true });
    seen.ended = true;
  })().catch(() => undefined);
  return { seen, close: async () => (aborter.abort(), await done) };
}
