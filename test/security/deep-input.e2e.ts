// Issue #16, class 8e (deep nesting): user JSON nested 5000 levels deep (and operation text built to
// stall the parser or the gateway's planner) is refused with BAD_USER_INPUT, never a 500 or a hang,
// through the gateway and straight at the subgraphs, in dev and production mode. Bodies are sent as
// raw text: JSON.stringify itself overflows near 4000 levels.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../lib/src/index';
import type { Platform } from '../support/platform';
import { startPlatform } from '../support/platform';
import { GraphQLWsProbe, waitFor } from '../support/ws';

const arrays = (n: number, inner = '1') => `${'['.repeat(n)}${inner}${']'.repeat(n)}`;
const objects = (n: number, inner = '1') => `${'{"a":'.repeat(n)}${inner}${'}'.repeat(n)}`;
const mixed = (n: number) => `${'{"a":['.repeat(n)}1${']}'.repeat(n)}`;
const DEEP_VALUES = {
  arrays: arrays(5000),
  objects: objects(5000),
  mixed: mixed(2500),
  justOver: arrays(MAX_JSON_DEPTH + 1),
};

describe.each([
  { mode: 'dev', production: false },
  { mode: 'production', production: true },
])('deeply nested input is refused ($mode)', ({ production }) => {
  let p: Platform;
  let seq = 0;
  const unique = (prefix: string) => `${prefix}-${production ? 'prod' : 'dev'}-${++seq}`;
  const auth = () => ({ authorization: `Bearer ${p.owner.token}` });

  beforeAll(async () => {
    p = await startPlatform({ production });
  }, 180_000);
  afterAll(async () => {
    await p?.stop();
  });

  async function post(url: string, body: string, headers: Record<string, string> = {}) {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(), ...headers },
      body,
    });
    return { status: res.status, body: (await res.json()) as any };
  }
  /** A GraphQL POST whose variable `$v` holds `raw` (JSON text). */
  const withVariable = (url: string, query: string, raw: string) =>
    post(url, `{"query":${JSON.stringify(query)},"variables":{"v":${raw}}}`);

  async function stillServes() {
    for (const s of Object.values(p.services)) expect((await fetch(`${s.url}/health/live`)).status).toBe(200);
    expect((await p.call('{ me { email } }', {}, p.owner.token)).data?.me.email).toBe(p.owner.email);
  }

  const OPERATIONS: [string, string][] = [
    ['schemas', 'query($v: JSON!) { validateAgainstSchema(subject: "s", data: $v) { valid } }'],
    ['catalog', 'mutation($v: JSONObject!) { ingestLineageEvent(event: $v) { eventId } }'],
    [
      'apps',
      'mutation($v: JSON) { createConfigVersion(input: { applicationId: "x", entries: [{ key: "K", value: $v }] }) { version } }',
    ],
    [
      'synthetic',
      'mutation($v: JSON!) { createSyntheticDataJob(input: { inlineSchema: { type: "JSON", schema: $v }, rows: 1 }) { id } }',
    ],
    [
      'models',
      'mutation($v: JSONObject) { createModelVersion(input: { modelId: "x", uploadId: "y", parameters: $v }) { id } }',
    ],
  ];

  it('JSON arguments in variables: through the gateway and at each subgraph', async () => {
    for (const [service, query] of OPERATIONS) {
      for (const [shape, raw] of Object.entries(DEEP_VALUES)) {
        const value = service === 'catalog' || service === 'models' ? `{"x":${raw}}` : raw;
        for (const url of [p.gateway.graphqlUrl, p.services[service]!.graphqlUrl]) {
          const res = await withVariable(url, query, value);
          expect({ service, shape, url, status: res.status, code: res.body.errors?.[0]?.extensions?.code }).toEqual({
            service,
            shape,
            url,
            status: 400,
            code: 'BAD_USER_INPUT',
          });
          expect(res.body.errors[0].extensions.fields).toEqual([
            { field: 'variables.v', message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels`) },
          ]);
        }
      }
    }
    const atLimit = await withVariable(p.gateway.graphqlUrl, OPERATIONS[0]![1], arrays(MAX_JSON_DEPTH));
    expect(atLimit.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    await stillServes();
  });

  it('operation text: 5000-deep literals and selections, and list literals that would stall the planner', async () => {
    const documents = {
      deepList: `{ validateAgainstSchema(subject: "s", data: ${arrays(5000, '')}) { valid } }`,
      deepObject: `{ validateAgainstSchema(subject: "s", data: ${'{a:'.repeat(5000)}1${'}'.repeat(5000)}) { valid } }`,
      deepSelection: `{ ${'me { '.repeat(5000)}id${' }'.repeat(5000)} }`,
      objectJustOverJsonDepth: `{ validateAgainstSchema(subject: "s", data: ${'{a:'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}) { valid } }`,
      plannerBomb: `{ validateAgainstSchema(subject: "s", data: ${arrays(30, '')}) { valid } }`,
      plannerBombInObjects: `{ validateAgainstSchema(subject: "s", data: ${'[{a:'.repeat(30)}1${'}]'.repeat(30)}) { valid } }`,
    };
    for (const [name, query] of Object.entries(documents)) {
      for (const url of [p.gateway.graphqlUrl, p.services.schemas!.graphqlUrl]) {
        const res = await post(url, JSON.stringify({ query }));
        expect({ name, url, status: res.status, code: res.body.errors?.[0]?.extensions?.code }).toEqual({
          name,
          url,
          status: 400,
          code: 'BAD_USER_INPUT',
        });
        expect(res.body.errors[0].extensions.fields).toEqual([
          { field: 'query', message: expect.stringMatching(/nests .* deeper than/) },
        ]);
      }
    }
    await stillServes();
  });

  it('GET, multipart and graphql-ws meet the same checks before anything parses, plans or coerces, at the gateway and at the subgraphs', async () => {
    const jsonQuery = 'query($v: JSON!) { validateAgainstSchema(subject: "s", data: $v) { valid } }';
    const lineage = 'subscription($v: String) { lineageEvents(namespace: $v) { eventId } }';
    // Short enough for a request target (16 KB of headers).
    const texts = {
      plannerBomb: `{ validateAgainstSchema(subject: "s", data: ${arrays(30, '')}) { valid } }`,
      plannerBombInObjects: `{ validateAgainstSchema(subject: "s", data: ${'[{a:'.repeat(30)}1${'}]'.repeat(30)}) { valid } }`,
      deepObject: `{ validateAgainstSchema(subject: "s", data: ${'{a:'.repeat(150)}1${'}'.repeat(150)}) { valid } }`,
      deepSelection: `{ ${'me { '.repeat(200)}id${' }'.repeat(200)} }`,
      deepArguments: `{ subject(name: ${'('.repeat(150)}"s"${')'.repeat(150)}) { name } }`,
    };
    const shortValues = {
      arrays: arrays(150),
      objects: objects(150),
      mixed: mixed(75),
      justOver: arrays(MAX_JSON_DEPTH + 1),
    };
    const refused = (label: string, status: number | undefined, errors: any[] | undefined, field: string) =>
      expect({ label, status, code: errors?.[0]?.extensions?.code, fields: errors?.[0]?.extensions?.fields }).toEqual({
        label,
        status,
        code: 'BAD_USER_INPUT',
        fields: [{ field, message: expect.stringMatching(/deeper than/) }],
      });

    // GET, at the gateway and at a subgraph.
    const get = async (url: string, query: string, variables?: string) => {
      const res = await fetch(
        `${url}?query=${encodeURIComponent(query)}${variables ? `&variables=${encodeURIComponent(variables)}` : ''}`,
        { headers: { ...auth(), 'apollo-require-preflight': 'true' }, signal: AbortSignal.timeout(20_000) },
      );
      return { status: res.status, body: (await res.json()) as any };
    };
    for (const url of [p.gateway.graphqlUrl, p.services.schemas!.graphqlUrl]) {
      for (const [name, text] of Object.entries(texts)) {
        const res = await get(url, text);
        refused(`GET ${name} ${url}`, res.status, res.body.errors, 'query');
      }
      for (const [name, raw] of Object.entries(shortValues)) {
        const res = await get(url, jsonQuery, `{"v":${raw}}`);
        refused(`GET variables ${name} ${url}`, res.status, res.body.errors, 'variables.v');
      }
    }

    // Multipart (express's body parser, then the subscription handler or Apollo) at the gateway.
    const multipart = async (body: string) => {
      const res = await fetch(p.gateway.graphqlUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'multipart/mixed;subscriptionSpec="1.0", application/json',
          ...auth(),
        },
        body,
        signal: AbortSignal.timeout(20_000),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    for (const [name, raw] of Object.entries(DEEP_VALUES)) {
      for (const query of [lineage, jsonQuery]) {
        const res = await multipart(`{"query":${JSON.stringify(query)},"variables":{"v":${raw}}}`);
        refused(`multipart variables ${name} ${query.slice(0, 12)}`, res.status, res.body.errors, 'variables.v');
      }
    }
    for (const [name, text] of Object.entries({
      ...texts,
      subscriptionBomb: `subscription { lineageEvents(namespace: ${arrays(30, '"x"')}) { eventId } }`,
      deepSubscription: `subscription { ${'lineageEvents { '.repeat(5000)} } }`,
    })) {
      const res = await multipart(JSON.stringify({ query: text }));
      refused(`multipart ${name}`, res.status, res.body.errors, 'query');
    }

    // graphql-ws, at the gateway and at the subgraphs (raw messages: JSON.stringify overflows on 5000 levels).
    const overWs = async (url: string, text: string, rawVariables?: string) => {
      const probe = await GraphQLWsProbe.connect(url, p.owner.token);
      try {
        probe.send(
          `{"id":"op","type":"subscribe","payload":{"query":${JSON.stringify(text)}${rawVariables ? `,"variables":{"v":${rawVariables}}` : ''}}}`,
        );
        const answer = await probe.errorsOf('op');
        expect(probe.closed).toBeUndefined();
        return answer;
      } finally {
        probe.close();
      }
    };
    for (const [url, query] of [
      [p.gateway.graphqlUrl, lineage],
      [p.gateway.graphqlUrl, jsonQuery],
      [p.services.catalog!.graphqlUrl, lineage],
      [p.services.schemas!.graphqlUrl, jsonQuery],
    ] as const) {
      for (const [name, raw] of Object.entries(DEEP_VALUES)) {
        const { type, errors } = await overWs(url, query, raw);
        refused(`ws variables ${name} ${url} ${query.slice(0, 12)}`, undefined, errors, 'variables.v');
        expect(type).toBe('error');
      }
    }
    for (const url of [p.gateway.graphqlUrl, p.services.schemas!.graphqlUrl]) {
      for (const [name, text] of Object.entries({
        ...texts,
        deepSelection: `{ ${'me { '.repeat(5000)}id${' }'.repeat(5000)} }`,
      })) {
        const { errors } = await overWs(url, text);
        refused(`ws ${name} ${url}`, undefined, errors, 'query');
      }
    }
    await stillServes();
  });

  it('schema texts: JSON Schema and Avro nested 5000 deep, through GraphQL and the Confluent API', async () => {
    const texts = {
      json: objects(5000, '{}').replace(/"a"/g, '"items"'),
      avro: `${'{"type":"array","items":'.repeat(5000)}"int"${'}'.repeat(5000)}`,
    };
    for (const [type, schema] of [
      ['JSON', texts.json],
      ['AVRO', texts.avro],
    ] as const) {
      const res = await p.call(
        'mutation($i: RegisterSchemaInput!) { registerSchema(input: $i) { id } }',
        { i: { subject: unique('deep'), type, schema } },
        p.owner.token,
      );
      expect(res.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: [{ field: 'schema', message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels`) }],
      });
      const rest = await post(
        `${p.gateway.url}/schema-registry/subjects/${unique('deep-rest')}/versions`,
        `{"schemaType":"${type}","schema":${JSON.stringify(schema)}}`,
        { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      );
      expect({ status: rest.status, code: rest.body.error_code }).toEqual({ status: 422, code: 42201 });
    }
    await stillServes();
  });

  it('REST bodies: Confluent API and OpenLineage (Marquez) route, through the gateway', async () => {
    for (const raw of Object.values(DEEP_VALUES)) {
      const confluent = await post(
        `${p.gateway.url}/schema-registry/subjects/${unique('body')}/versions`,
        `{"schema":"{}","schemaType":"JSON","references":${raw}}`,
        { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      );
      expect({ status: confluent.status, code: confluent.body.error_code, message: confluent.body.message }).toEqual({
        status: 422,
        code: 422,
        message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels`),
      });
      const lineage = await post(
        `${p.gateway.url}/api/v1/lineage`,
        `{"eventType":"START","run":{"runId":"r","facets":${raw}}}`,
      );
      expect({ status: lineage.status, code: lineage.body.code, fields: lineage.body.fields }).toEqual({
        status: 400,
        code: 'BAD_USER_INPUT',
        fields: [{ field: 'body', message: expect.stringContaining('deeper') }],
      });
    }
    await stillServes();
  });

  it('dataset content: a JSON Lines row nested 5000 deep fails the version with a clear error', async () => {
    const dataset = (
      await p.call(
        'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }',
        { i: { name: unique('deep-rows'), format: 'JSONL' } },
        p.owner.token,
      )
    ).data!.createDataset;
    const ticket = (
      await p.call(
        'mutation($i: CreateDatasetUploadInput!) { createDatasetUpload(input: $i) { id url token } }',
        { i: { purpose: 'DATASET_CONTENT', filename: 'rows.jsonl' } },
        p.owner.token,
      )
    ).data!.createDatasetUpload;
    const put = await fetch(`${p.gateway.url}${new URL(ticket.url).pathname}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ticket.token}`, 'content-type': 'application/x-ndjson' },
      body: `{"ok":1}\n{"v":${arrays(5000)}}\n`,
    });
    expect(put.status).toBe(201);
    await p.call(
      'mutation($d: ID!, $u: ID!) { addDatasetVersion(datasetId: $d, uploadId: $u) { version } }',
      { d: dataset.id, u: ticket.id },
      p.owner.token,
    );
    const version = await waitFor(
      async () => {
        const v = (
          await p.call(
            'query($id: ID!) { dataset(id: $id) { versions { status error } } }',
            { id: dataset.id },
            p.owner.token,
          )
        ).data?.dataset.versions[0];
        return v?.status !== 'PROFILING' && v;
      },
      'profiling to end',
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    expect(version).toEqual({
      status: 'FAILED',
      error: expect.stringMatching(/line 2: nests arrays or objects deeper than 100 levels/),
    });
    await stillServes();
  });
});
