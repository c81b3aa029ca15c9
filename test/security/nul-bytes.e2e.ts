// Issue #16, 7c: strings no database can store (U+0000, lone UTF-16 surrogates) in any input answer
// BAD_USER_INPUT naming the field, before anything is written: GraphQL arguments, variables, nested
// inputs and JSON scalars of several subgraphs through the gateway, subscriptions over graphql-ws,
// REST bodies, paths and query strings, in development and production, on SQLite and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createOrm } from '../../lib/src/index';
import { gql } from '../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../lib/src/testing/postgres';
import { startPlatform, type Platform } from '../support/platform';

@Entity({ tableName: 'guarded_notes' })
class Note {
  @PrimaryKey({ type: 'string' })
  id!: string;

  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'json', nullable: true })
  meta?: unknown;
}

/** Each string a database cannot store, as a client could send it. */
const UNSTORABLE: Record<string, string> = {
  'NUL inside': 'a\u0000b',
  'only NUL': '\u0000',
  'NUL at the end': 'name\u0000',
  'lone high surrogate': 'x\uD800',
  'lone low surrogate': '\uDC00y',
  'surrogates in the wrong order': '\uDE00\uD83D',
};
const VARIANTS = Object.entries(UNSTORABLE);

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** The answer refuses the input with BAD_USER_INPUT and names exactly these fields. */
function expectRefused(res: { status: number; data?: any; errors?: any[] }, fields: string[]) {
  expect(res.errors, JSON.stringify(res.errors)).toHaveLength(1);
  expect(res.errors![0].extensions.code).toBe('BAD_USER_INPUT');
  expect(res.errors![0].extensions.fields.map((f: { field: string }) => f.field).sort()).toEqual([...fields].sort());
  expect(res.errors![0].message).not.toMatch(/internal/i);
  // Nothing ran: no data, or each root field null.
  for (const value of Object.values(res.data ?? {})) expect(value).toBeNull();
}

describe.each([{ production: false }, { production: true }])(
  'unstorable strings through the gateway (production: $production)',
  ({ production }) => {
    let p: Platform;
    let token: string;
    beforeAll(async () => {
      p = await startPlatform({ production });
      token = p.owner.token;
    }, 240_000);
    afterAll(async () => p?.stop());

    const userEmails = async () =>
      (await p.call('{ users(first: 200) { email name } }', {}, token)).data.users as { email: string; name: string }[];

    it.each(VARIANTS)('identity createUser refuses %s in a nested variable, and writes nothing', async (_name, bad) => {
      const email = `${unique('user')}@example.com`;
      const res = await p.call(
        'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
        { i: { email, name: `Ada ${bad}`, password: 'a long passphrase' } },
        token,
      );
      expectRefused(res, ['input.name']);
      expect((await userEmails()).map((u) => u.email)).not.toContain(email);
    });

    it('identity createUser refuses NUL in a literal argument and names every bad field', async () => {
      const email = `${unique('literal')}@example.com`;
      const res = await p.call(
        `mutation { createUser(input: { email: "${email}\\u0000", name: "A\\u0000", password: "a long passphrase", roles: ["viewer", "x\\u0000"] }) { id } }`,
        {},
        token,
      );
      expectRefused(res, ['input.email', 'input.name', 'input.roles[1]']);
      expect((await userEmails()).some((u) => u.email.startsWith(email))).toBe(false);
    });

    it('a lone surrogate cannot even be written as a GraphQL literal: the document does not parse', async () => {
      const res = await p.call('mutation { createModel(input: { name: "m\\uD800" }) { id } }', {}, token);
      // The gateway reports the syntax error of the document as a validation failure.
      expect(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']).toContain(res.errors?.[0].extensions.code);
      expect(res.errors![0].message).toMatch(/Invalid Unicode escape sequence/);
      expect(res.data ?? null).toBeNull();
    });

    it.each(VARIANTS)(
      'identity login refuses %s in email and password (no lockout, no internal error)',
      async (_name, bad) => {
        const res = await p.call(
          'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
          { e: `${p.owner.email}${bad}`, p: `${p.owner.password}${bad}` },
        );
        expectRefused(res, ['email', 'password']);
        const ok = await p.call(
          'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
          { e: p.owner.email, p: p.owner.password },
        );
        expect(ok.data?.login.accessToken).toEqual(expect.any(String));
      },
    );

    it.each(VARIANTS)('catalog createDataset refuses %s in a list of nested inputs', async (_name, bad) => {
      const name = unique('dataset');
      const res = await p.call(
        'mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }',
        {
          i: {
            name,
            format: 'CSV',
            tags: ['ok', bad],
            columns: [
              { name: 'id', classification: 'PUBLIC' },
              { name: `email${bad}`, classification: 'PII', description: 'fine' },
            ],
          },
        },
        token,
      );
      expectRefused(res, ['input.tags[1]', 'input.columns[1].name']);
      const found = await p.call('query($q: String!) { datasets(query: $q) { totalCount } }', { q: name }, token);
      expect(found.errors).toBeUndefined();
      expect(found.data.datasets.totalCount).toBe(0);
    });

    it.each(VARIANTS)(
      'catalog ingestLineageEvent refuses %s deep in a JSON scalar, in a value and in a key',
      async (_name, bad) => {
        const job = unique('job');
        const event = {
          eventType: 'START',
          eventTime: new Date().toISOString(),
          producer: 'https://example.com/test',
          schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
          run: { runId: randomUUID(), facets: { [`custom${bad}`]: { _producer: 'x', _schemaURL: 'y' } } },
          job: {
            namespace: 'tests',
            name: job,
            facets: { documentation: { _producer: 'x', _schemaURL: 'y', description: ['ok', `deep ${bad}`] } },
          },
          inputs: [],
          outputs: [],
        };
        const res = await p.call(
          'mutation($e: JSONObject!) { ingestLineageEvent(event: $e) { eventId } }',
          { e: event },
          token,
        );
        expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
        const fields = res.errors![0].extensions.fields.map((f: { field: string }) => f.field);
        expect(fields).toContain('event.job.facets.documentation.description[1]');
        // The bad key is named with its bad character escaped (\u0000, \ud800 ...).
        expect(
          fields.some(
            (f: string) => f.startsWith('event.run.facets.custom') && /\\u(0000|d[89a-f][0-9a-f]{2})/.test(f),
          ),
        ).toBe(true);
        const runs = await p.call(
          'query($n: String!) { lineageRuns(namespace: "tests", name: $n) { runId } }',
          { n: job },
          token,
        );
        expect(runs.data?.lineageRuns ?? []).toEqual([]);
      },
    );

    it.each(VARIANTS)('schemas registerSchema refuses %s in the subject and in the schema text', async (_name, bad) => {
      const subject = unique('subject');
      const res = await p.call(
        'mutation($i: RegisterSchemaInput!) { registerSchema(input: $i) { id } }',
        { i: { subject: `${subject}${bad}`, type: 'JSON', schema: `{"type":"string","description":"${bad}"}` } },
        token,
      );
      expectRefused(res, ['input.subject', 'input.schema']);
      const subjects = (await p.call('{ subjects { name } }', {}, token)).data.subjects as { name: string }[];
      expect(subjects.some((s) => s.name.startsWith(subject))).toBe(false);
    });

    it.each(VARIANTS)('models refuses %s in a read (modelByName) as in a write (createModel)', async (_name, bad) => {
      const read = await p.call('query($n: String!) { modelByName(name: $n) { id } }', { n: `m${bad}` }, token);
      expectRefused(read, ['name']);
      const name = unique('model');
      const write = await p.call(
        'mutation($i: CreateModelInput!) { createModel(input: $i) { id } }',
        { i: { name, description: `about ${bad}`, tags: [bad] } },
        token,
      );
      expectRefused(write, ['input.description', 'input.tags[0]']);
      expect(
        (await p.call('query($n: String!) { modelByName(name: $n) { id } }', { n: name }, token)).data.modelByName,
      ).toBeNull();
    });

    it('refuses the whole operation: a valid mutation beside a refused one is not run either', async () => {
      const good = unique('model');
      const res = await p.call(
        'mutation($good: CreateModelInput!, $bad: CreateModelInput!) { a: createModel(input: $good) { id } b: createModel(input: $bad) { id } }',
        { good: { name: good }, bad: { name: unique('model'), description: 'x\u0000' } },
        token,
      );
      expect(res.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions.fields).toEqual([
        { field: 'input.description', message: expect.stringContaining('NUL') },
      ]);
      expect(
        (await p.call('query($n: String!) { modelByName(name: $n) { id } }', { n: good }, token)).data.modelByName,
      ).toBeNull();
    });

    it.each(VARIANTS)(
      'apps refuses %s in a list (createApplication) and deep in a JSON config value (createConfigVersion)',
      async (_name, bad) => {
        const name = unique('app');
        const refused = await p.call(
          'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id } }',
          { i: { name, environments: ['staging', bad] } },
          token,
        );
        expectRefused(refused, ['input.environments[1]']);
        expect(
          ((await p.call('{ applications { name } }', {}, token)).data.applications as { name: string }[]).map(
            (a) => a.name,
          ),
        ).not.toContain(name);

        const app = await p.call(
          'mutation($i: CreateApplicationInput!) { createApplication(input: $i) { id } }',
          { i: { name, environments: ['staging'] } },
          token,
        );
        expect(app.errors).toBeUndefined();
        const applicationId = app.data.createApplication.id;
        const res = await p.call(
          'mutation($i: CreateConfigVersionInput!) { createConfigVersion(input: $i) { id } }',
          {
            i: {
              applicationId,
              note: 'n',
              entries: [
                { key: 'ok', value: 1 },
                { key: 'deep', value: { list: [{ text: `v${bad}` }] } },
              ],
            },
          },
          token,
        );
        expectRefused(res, ['input.entries[1].value.list[0].text']);
        const versions = await p.call(
          'query($id: ID!) { application(id: $id) { configVersions { id } } }',
          { id: applicationId },
          token,
        );
        expect(versions.data?.application.configVersions ?? []).toEqual([]);
      },
    );

    it('a subgraph called directly refuses too (zero trust: the gateway is not the only way in)', async () => {
      const email = `${unique('direct')}@example.com`;
      const res = await gql(
        p.services.identity!.graphqlUrl,
        'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
        { i: { email, name: 'N\u0000', password: 'a long passphrase' } },
        token,
      );
      expect(res.status).toBe(200);
      expectRefused(res, ['input.name']);
    });

    it.each(VARIANTS)(
      'a subscription over graphql-ws refuses %s in its arguments (subgraph and gateway)',
      async (_name, bad) => {
        for (const url of [p.services.catalog!.graphqlUrl, p.gateway.graphqlUrl]) {
          const client = createClient({
            url: url.replace(/^http/, 'ws'),
            webSocketImpl: WebSocket,
            retryAttempts: 0,
            lazy: true,
            connectionParams: { authorization: `Bearer ${token}` },
          });
          try {
            const outcome = await new Promise<{ errors?: readonly any[]; data?: unknown }>((resolve) => {
              const stop = client.subscribe(
                {
                  query: 'subscription($ns: String) { lineageEvents(namespace: $ns) { runId } }',
                  variables: { ns: `tests${bad}` },
                },
                {
                  next: (value) => {
                    stop();
                    resolve(value as any);
                  },
                  error: (err) => resolve({ errors: Array.isArray(err) ? err : [err] }),
                  complete: () => resolve({}),
                },
              );
            });
            expect(outcome.errors?.[0]?.extensions?.code, `${url}: ${JSON.stringify(outcome)}`).toBe('BAD_USER_INPUT');
            expect(outcome.errors![0].extensions.fields.map((f: { field: string }) => f.field)).toEqual(['namespace']);
          } finally {
            await client.dispose();
          }
        }
      },
    );

    describe('REST routes', () => {
      const post = async (url: string, body: string, headers: Record<string, string> = {}) => {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
          body,
        });
        return { status: res.status, body: (await res.json()) as any };
      };

      it.each(VARIANTS)(
        'identity /internal/service-token refuses %s in the body before checking anything else',
        async (_name, bad) => {
          const res = await post(
            `${p.services.identity!.url}/internal/service-token`,
            JSON.stringify({ organizationId: `o${bad}`, permissions: ['ok', bad] }),
            { 'x-aic-service-secret': p.serviceSecret },
          );
          expect(res.status).toBe(400);
          expect(res.body).toMatchObject({ code: 'BAD_USER_INPUT' });
          expect(res.body.fields.map((f: { field: string }) => f.field).sort()).toEqual([
            'organizationId',
            'permissions[1]',
          ]);
        },
      );

      it.each(VARIANTS)(
        'catalog POST /internal/datasets refuses %s in the body and creates nothing',
        async (_name, bad) => {
          const name = unique('rest');
          const res = await post(
            `${p.services.catalog!.url}/internal/datasets`,
            JSON.stringify({ name: `${name}${bad}`, format: 'CSV', content: 'a,b\n1,2\n' }),
          );
          expect(res.status).toBe(400);
          expect(res.body).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'name' }] });
          expect(
            (await p.call('query($q: String!) { datasets(query: $q) { totalCount } }', { q: name }, token)).data
              .datasets.totalCount,
          ).toBe(0);
        },
      );

      it('schemas Confluent API refuses NUL in the body, the path and the query string', async () => {
        const base = p.services.schemas!.url;
        const subject = unique('confluent');
        const body = await post(
          `${base}/subjects/${subject}/versions`,
          JSON.stringify({ schema: '{"type":"string","doc":"a\u0000"}', schemaType: 'JSON' }),
          { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        );
        expect(body.status).toBe(422);
        expect(body.body.message).toMatch(/schema .*NUL/);
        const path = await post(
          `${base}/subjects/${subject}%00/versions`,
          JSON.stringify({ schema: '{"type":"string"}', schemaType: 'JSON' }),
        );
        expect(path.status).toBe(400);
        expect(path.body).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'path' }] });
        const query = await fetch(`${base}/subjects?deleted=%00`, { headers: { authorization: `Bearer ${token}` } });
        expect(query.status).toBe(400);
        expect(await query.json()).toMatchObject({ code: 'BAD_USER_INPUT', fields: [{ field: 'query.deleted' }] });
        const subjects = (await p.call('{ subjects { name } }', {}, token)).data.subjects as { name: string }[];
        expect(subjects.some((s) => s.name.startsWith(subject))).toBe(false);
      });
    });
  },
);

describe('identity on PostgreSQL (which refuses U+0000 in text) through the gateway', () => {
  const db = testPostgresDatabase('aic_nul');
  let p: Platform;
  beforeAll(async () => {
    p = await startPlatform({ only: [], env: { DATABASE_URL: db.url } });
  }, 120_000);
  afterAll(async () => {
    await p?.stop();
    await db.drop();
  });

  it.each(VARIANTS)('login and createUser refuse %s; the database keeps working', async (_name, bad) => {
    const login = await p.call(
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: `${p.owner.email}${bad}`, p: 'whatever password' },
    );
    expectRefused(login, ['email']);
    const email = `${unique('pg')}@example.com`;
    const created = await p.call(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: { email, name: `Grace${bad}`, password: `pass${bad}word long` } },
      p.owner.token,
    );
    expectRefused(created, ['input.name', 'input.password']);
    const fine = await p.call(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { email } }',
      { i: { email, name: 'Grace', password: 'a long passphrase' } },
      p.owner.token,
    );
    expect(fine.errors).toBeUndefined();
    expect(fine.data.createUser.email).toBe(email);
  });
});

describe('the ORM refuses to flush unstorable values that did not come through an input (defense in depth)', () => {
  const pg = testPostgresDatabase('aic_guard');
  afterAll(() => pg.drop());

  it.each([
    ['SQLite', ':memory:'],
    ['PostgreSQL', pg.url],
  ])(
    'on %s: BAD_USER_INPUT naming the property, nothing written, the connection still usable',
    async (_db, databaseUrl) => {
      const orm = await createOrm({
        databaseUrl,
        dataDir: '/nonexistent-unused',
        serviceName: 'guard',
        entities: [Note],
      });
      try {
        for (const [, bad] of VARIANTS) {
          const em = orm.em.fork();
          em.persist(em.create(Note, { id: randomUUID(), text: 'fine', meta: { rows: [{ header: `h${bad}` }] } }));
          const error = await em.flush().then(
            () => null,
            (err: unknown) => err as { extensions?: any },
          );
          expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
          expect(error!.extensions.fields.map((f: { field: string }) => f.field)).toEqual(['Note.meta.rows[0].header']);
        }
        expect(await orm.em.fork().count(Note, {})).toBe(0);
        const em = orm.em.fork();
        em.persist(em.create(Note, { id: randomUUID(), text: 'emoji 😀 and accents é are stored', meta: null }));
        await em.flush();
        expect((await orm.em.fork().findAll(Note)).map((n) => n.text)).toEqual(['emoji 😀 and accents é are stored']);
      } finally {
        await orm.close();
      }
    },
  );
});
