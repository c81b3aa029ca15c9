// Issue #19 "Tests": the whole chain end to end through the gateway, on the whole platform, with a public table
// read from an installed npm package (vega-datasets' cars: a product `Name`, an ISO date `Year`, missing values,
// a category `Origin`; BSD-3-Clause; nothing copied into the repository). Two signed-in users act through the
// gateway: a data scientist (no catalog:read-pii, no inference:manage, no apps:deploy) uploads, profiles (told by
// the datasetVersionStatusChanged subscription over graphql-ws), trains and synthesizes; the owner promotes,
// creates an endpoint, deploys an application on the model and scores the table in batch. No column is
// reclassified by hand. The lineage graph then holds the whole chain, all in aic:// namespaces.
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINEAGE_NAMESPACES, lineageNames } from '../lib/contracts/lineage';
import { waitFor } from '../lib/src/testing/wait-for';
import type { Platform } from './support/platform';
import { startPlatform } from './support/platform';

const cars = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../node_modules/vega-datasets/data/cars.json'), 'utf8'),
) as Record<string, string | number | null>[];
const COLUMNS = ['Name', 'Miles_per_Gallon', 'Cylinders', 'Horsepower', 'Weight_in_lbs', 'Year', 'Origin'];
const FEATURES = ['Miles_per_Gallon', 'Cylinders', 'Horsepower', 'Weight_in_lbs'];
const csv = [
  COLUMNS.join(','),
  ...cars.map((c) =>
    COLUMNS.map((k) => (c[k] === null ? '' : k === 'Name' ? `"${String(c[k])}"` : String(c[k]))).join(','),
  ),
].join('\n');
/** Row numbers (from 1, header not counted) with an empty feature cell: these get no prediction. */
const GAPS = cars.flatMap((c, i) => (FEATURES.some((f) => c[f] === null) ? [i + 1] : []));

const DATA_SCIENTIST = { email: 'ds@example.com', password: 'data scientist password 1' };
const TERMINAL = ['SUCCEEDED', 'PARTIAL', 'FAILED', 'CANCELLED'];

let p: Platform;
let owner: string;
let scientist: string;

/** Calls the gateway and fails the test on any GraphQL error. */
async function ok<T = any>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const res = await p.call<T>(query, variables, token);
  if (res.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(res.errors)}`);
  return res.data as T;
}

beforeAll(async () => {
  // Previews are capped at 100 rows by default: the predictions of all 406 rows are read back through one.
  p = await startPlatform({ env: { AIC_CATALOG_MAX_PREVIEW_ROWS: '1000' } });
  owner = p.owner.token;
  await ok(
    'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
    { i: { ...DATA_SCIENTIST, name: 'Dana Scientist', roles: ['data-scientist'] } },
    owner,
  );
  scientist = (
    await ok(
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: DATA_SCIENTIST.email, p: DATA_SCIENTIST.password },
      '',
    )
  ).login.accessToken;
}, 120_000);
afterAll(() => p?.stop());

/** Subscribes (graphql-ws through the gateway) to the profiling completion of one dataset's versions. */
function versionEvents(token: string, datasetId: string) {
  const client = createClient({
    url: p.gateway.graphqlUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
  });
  const events: any[] = [];
  const errors: unknown[] = [];
  client.subscribe(
    {
      query:
        'subscription($d: ID) { datasetVersionStatusChanged(datasetId: $d) { datasetId versionId version status error rowCount } }',
      variables: { d: datasetId },
    },
    {
      next: (v) => events.push((v.data as any)?.datasetVersionStatusChanged),
      error: (e) => errors.push(e),
      complete: () => undefined,
    },
  );
  return { events, errors, close: () => client.dispose() };
}

/** Uploads the table through the gateway's upload route and makes it the dataset's next version. */
async function uploadVersion(token: string, datasetId: string): Promise<number> {
  const ticket = (
    await ok(
      'mutation($i: CreateDatasetUploadInput!) { createDatasetUpload(input: $i) { id url token } }',
      { i: { purpose: 'DATASET_CONTENT', filename: 'cars.csv', contentType: 'text/csv' } },
      token,
    )
  ).createDatasetUpload;
  const put = await fetch(`${p.gateway.url}${new URL(ticket.url).pathname}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ticket.token}`, 'content-type': 'text/csv' },
    body: csv,
  });
  expect(put.status).toBe(201);
  return (
    await ok(
      'mutation($d: ID!, $u: ID!) { addDatasetVersion(datasetId: $d, uploadId: $u) { version } }',
      { d: datasetId, u: ticket.id },
      token,
    )
  ).addDatasetVersion.version;
}

const LINEAGE =
  'query($from: LineageNodeInput!, $dir: LineageDirection!) { lineage(from: $from, direction: $dir) { truncated nodes { depth node { id kind namespace name } } edges { fromId toId } } }';

describe('the whole chain on a public table, through the gateway (#19)', () => {
  it('upload → profile → train → promote → endpoint → application → batch score → synthesize → lineage', async () => {
    expect(GAPS.length).toBeGreaterThan(0);

    // 1. The data scientist uploads cars and hears of its profiling over the subscription.
    const datasetId = (
      await ok('mutation { createDataset(input: { name: "cars", format: CSV }) { id } }', {}, scientist)
    ).createDataset.id;
    const sub = versionEvents(scientist, datasetId);
    try {
      // graphql-ws subscribes asynchronously (client → gateway → catalog): should the first version's
      // announcement pass before the subscription is in place, the next version's is heard.
      const deadline = Date.now() + 90_000;
      while (sub.events.length === 0 && sub.errors.length === 0 && Date.now() < deadline) {
        await uploadVersion(scientist, datasetId);
        await waitFor(() => sub.events[0], 'a profiling announcement', { timeoutMs: 15_000 }).catch(() => undefined);
      }
      expect(sub.errors).toEqual([]);
      expect(sub.events[0]).toMatchObject({ datasetId, status: 'READY', error: null, rowCount: cars.length });
    } finally {
      await sub.close();
    }

    // Dates are dates, never PII; `Name` (product names) is at most weak evidence, shown with why.
    const dataset = (
      await ok(
        'query($id: ID!) { dataset(id: $id) { classification viewerCanReadPii columns { name type classification detectedPii confidence reason piiReview } } }',
        { id: datasetId },
        scientist,
      )
    ).dataset;
    expect(dataset.viewerCanReadPii).toBe(false);
    const col = Object.fromEntries(dataset.columns.map((c: any) => [c.name, c]));
    expect(Object.keys(col)).toEqual(COLUMNS);
    expect(col.Year).toMatchObject({ type: 'DATE', classification: 'INTERNAL', detectedPii: null });
    expect(col.Origin).toMatchObject({ type: 'STRING', classification: 'INTERNAL', detectedPii: null });
    for (const f of FEATURES) expect(col[f]).toMatchObject({ classification: 'INTERNAL', detectedPii: null });
    if (col.Name.detectedPii !== null) {
      expect(col.Name.confidence).toBeLessThanOrEqual(0.3);
      expect(col.Name.reason).toEqual(expect.any(String));
    }
    expect(col.Name.classification).not.toBe('PII');
    for (const c of dataset.columns) expect(c.piiReview ?? null).toBeNull();

    // 2. Training on the numeric columns with the category as target, as the data scientist.
    const jobId = (
      await ok(
        'mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }',
        {
          i: {
            modelName: 'cars-origin',
            datasetId,
            featureColumns: FEATURES,
            targetColumn: 'Origin',
            algorithm: 'LOGISTIC_REGRESSION',
            hyperparameters: { epochs: 5, seed: 3 },
          },
        },
        scientist,
      )
    ).startTrainingJob.id;
    const trained = await waitFor(
      async () => {
        const j = (
          await ok(
            'query($id: ID!) { trainingJob(id: $id) { state error modelVersion { id version model { id } signature { inputs { name } } } } }',
            { id: jobId },
            scientist,
          )
        ).trainingJob;
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.state) ? j : undefined;
      },
      'the training job',
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    expect(trained).toMatchObject({ state: 'SUCCEEDED', error: null });
    const mv = trained.modelVersion;

    // 3. The owner promotes it, serves it on an endpoint and deploys an application on it.
    const alias = await ok(
      'mutation($i: SetModelAliasInput!) { setModelAlias(input: $i) { name modelVersion { id } } }',
      { i: { modelId: mv.model.id, alias: 'champion', versionId: mv.id, reason: 'first cars model' } },
      owner,
    );
    expect(alias.setModelAlias).toEqual({ name: 'champion', modelVersion: { id: mv.id } });
    const endpoint = (
      await ok(
        'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id name } }',
        { i: { name: 'cars-origin', routes: [{ modelVersion: mv.id, weight: 1 }] } },
        owner,
      )
    ).createEndpoint;
    const app = (
      await ok(
        'mutation { createApplication(input: { name: "Car Desk", environments: ["production"] }) { id } }',
        {},
        owner,
      )
    ).createApplication;
    const deployment = (
      await ok(
        'mutation($i: DeployInput!) { deploy(input: $i) { deployment { id status revision endpoints { name endpoint { id name } } } } }',
        {
          i: {
            applicationId: app.id,
            environment: 'production',
            endpoints: [{ name: 'origin', weight: 100, routes: [{ modelVersion: mv.id, weight: 1 }] }],
          },
        },
        owner,
      )
    ).deploy.deployment;
    expect(deployment).toMatchObject({ status: 'RUNNING', revision: 1 });
    const appEndpoint = deployment.endpoints[0].endpoint;

    // 4. Batch scoring of the whole table: rows with an empty feature cell get a row error, the job is PARTIAL.
    const batchId = (
      await ok(
        'mutation($i: StartBatchInferenceInput!) { startBatchInference(input: $i) { id } }',
        {
          i: {
            endpoint: endpoint.name,
            dataset: datasetId,
            mapping: [{ input: mv.signature.inputs[0].name, columns: FEATURES }],
            passthroughColumns: ['Name'],
            outputDatasetName: 'cars-origin-scores',
            chunkSize: 64,
          },
        },
        owner,
      )
    ).startBatchInference.id;
    const batch = await waitFor(
      async () => {
        const j = (
          await ok(
            'query($id: ID!) { batchInferenceJob(id: $id) { status error rowsDone rowsTotal rowsFailed rowErrors { row column message } outputDataset { id } } }',
            { id: batchId },
            owner,
          )
        ).batchInferenceJob;
        return TERMINAL.includes(j.status) ? j : undefined;
      },
      'the batch job',
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    expect(batch).toMatchObject({
      status: 'PARTIAL',
      rowsDone: cars.length,
      rowsTotal: cars.length,
      rowsFailed: GAPS.length,
    });
    expect(batch.error).toContain(`${GAPS.length} of ${cars.length} rows got no prediction`);
    expect(batch.rowErrors.map((e: any) => e.row)).toEqual(GAPS.slice(0, 20));
    for (const e of batch.rowErrors) {
      expect(FEATURES).toContain(e.column);
      expect(e.message).toContain('the cell is empty');
    }
    const scores = await waitFor(
      async () => {
        const d = (
          await p.call(
            'query($id: ID!) { dataset(id: $id) { versions { status } preview(limit: 1000) { columns rows } } }',
            { id: batch.outputDataset.id },
            owner,
          )
        ).data?.dataset;
        return d?.versions[0]?.status === 'READY' ? d.preview : undefined;
      },
      'the predictions dataset',
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(scores.rows).toHaveLength(cars.length);
    expect(JSON.stringify(scores.rows)).not.toMatch(/NaN|Infinity/);
    const outputs = scores.columns.filter((c: string) => !['row', 'Name', 'modelVersion', 'error'].includes(c));
    expect(outputs.length).toBeGreaterThan(0);
    for (const [i, row] of scores.rows.entries()) {
      const failed = GAPS.includes(i + 1);
      expect(Boolean(row.error), `row ${i + 1}: ${JSON.stringify(row)}`).toBe(failed);
      for (const o of outputs) {
        const v = row[o];
        if (failed) expect(v === null || v === '', `row ${i + 1} ${o}`).toBe(true);
        else expect(Number.isFinite(Number(v)) && v !== '' && v !== null, `row ${i + 1} ${o}=${v}`).toBe(true);
      }
    }

    // 5. Synthetic data from the table, as the data scientist: valid ISO dates, in the quality report.
    const synthId = (
      await ok(
        'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
        { i: { sourceDatasetId: datasetId, rows: 120, seed: 7, outputName: 'cars-synthetic' } },
        scientist,
      )
    ).createSyntheticDataJob.id;
    const synth = await waitFor(
      async () => {
        const j = (
          await ok(
            'query($id: ID!) { syntheticDataJob(id: $id) { status error output { id } report { quality { columns { column score } } privacy { piiColumns piiColumnsNotRead } } } }',
            { id: synthId },
            scientist,
          )
        ).syntheticDataJob;
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status) ? j : undefined;
      },
      'the synthetic job',
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    expect(synth).toMatchObject({ status: 'SUCCEEDED', error: null });
    expect(synth.report.quality.columns.find((c: any) => c.column === 'Year')?.score).toEqual(expect.any(Number));
    // Synthesis protects any "…name" column by its name alone (PROTECT policy, lib/src/data/pii.ts): `Name` is
    // faked, never sampled, and the report says so; nothing was withheld from the data scientist.
    expect(synth.report.privacy).toEqual({ piiColumns: ['Name'], piiColumnsNotRead: [] });
    const synthetic = (
      await ok(
        'query($id: ID!) { dataset(id: $id) { preview(limit: 120) { rows maskedColumns } } }',
        { id: synth.output.id },
        scientist,
      )
    ).dataset.preview;
    expect(synthetic.rows).toHaveLength(120);
    expect(JSON.stringify(synthetic.rows)).not.toMatch(/NaN|Infinity/);
    const origins = new Set(cars.map((c) => c.Origin));
    for (const row of synthetic.rows) {
      expect(origins.has(row.Origin), `synthetic Origin ${row.Origin}`).toBe(true);
      const y = String(row.Year);
      expect(y, `synthetic Year ${y}`).toMatch(/^\d{4}-\d{2}-\d{2}/);
      expect(new Date(Date.parse(y)).toISOString().slice(0, 10), `synthetic Year ${y}`).toBe(y.slice(0, 10));
    }

    // A steward (the owner) dismisses `Name` as personal data: the next synthesis models the product names
    // from the source like any other category instead of faking person names.
    await ok(
      'mutation($d: ID!) { reviewColumnPii(datasetId: $d, column: "Name", decision: DISMISS) { id } }',
      { d: datasetId },
      owner,
    );
    const modelledId = (
      await ok(
        'mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }',
        { i: { sourceDatasetId: datasetId, rows: 50, seed: 8, outputName: 'cars-synthetic-names' } },
        scientist,
      )
    ).createSyntheticDataJob.id;
    const modelled = await waitFor(
      async () => {
        const j = (
          await ok(
            'query($id: ID!) { syntheticDataJob(id: $id) { status error output { id } report { privacy { piiColumns } } } }',
            { id: modelledId },
            scientist,
          )
        ).syntheticDataJob;
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(j.status) ? j : undefined;
      },
      'the synthetic job after the review',
      { timeoutMs: 120_000, intervalMs: 200 },
    );
    expect(modelled).toMatchObject({ status: 'SUCCEEDED', error: null, report: { privacy: { piiColumns: [] } } });
    const names = new Set(cars.map((c) => c.Name));
    const modelledRows = (
      await ok(
        'query($id: ID!) { dataset(id: $id) { preview(limit: 50) { rows } } }',
        { id: modelled.output.id },
        scientist,
      )
    ).dataset.preview.rows;
    expect(modelledRows).toHaveLength(50);
    for (const row of modelledRows) expect(names.has(row.Name), `synthetic Name ${row.Name}`).toBe(true);

    // 6. Lineage: from the application, everything it is built from.
    const node = (ns: string, name: string) => `${ns} ${name}`;
    const fromApp = await waitFor(
      async () => {
        const g = (
          await ok(
            LINEAGE,
            { from: { namespace: LINEAGE_NAMESPACES.apps, name: lineageNames.application(app.id) }, dir: 'UPSTREAM' },
            owner,
          )
        ).lineage;
        return g.nodes.length >= 7 ? g : undefined;
      },
      'the chain upstream of the application',
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(fromApp.truncated).toBe(false);
    expect(fromApp.nodes.map((n: any) => `${n.depth} ${n.node.kind} ${node(n.node.namespace, n.node.name)}`)).toEqual([
      `0 DATASET ${node(LINEAGE_NAMESPACES.apps, lineageNames.application(app.id))}`,
      `1 JOB ${node(LINEAGE_NAMESPACES.apps, lineageNames.applicationDeployJob('Car Desk', 'production'))}`,
      `2 DATASET ${node(LINEAGE_NAMESPACES.inference, lineageNames.endpoint(appEndpoint.id))}`,
      `3 JOB ${node(LINEAGE_NAMESPACES.inference, lineageNames.endpointDeployJob(appEndpoint.name))}`,
      `4 DATASET ${node(LINEAGE_NAMESPACES.models, lineageNames.modelVersion(mv.id))}`,
      `5 JOB ${node(LINEAGE_NAMESPACES.models, lineageNames.trainingJob('cars-origin'))}`,
      `6 DATASET ${node(LINEAGE_NAMESPACES.catalog, lineageNames.catalogDataset(datasetId))}`,
    ]);

    // From the dataset, everything built from it: the same chain down to the application, the explicit
    // endpoint, the batch run with its predictions and the synthetic run with its output.
    const expected = [
      `JOB ${node(LINEAGE_NAMESPACES.models, lineageNames.trainingJob('cars-origin'))}`,
      `DATASET ${node(LINEAGE_NAMESPACES.models, lineageNames.modelVersion(mv.id))}`,
      `JOB ${node(LINEAGE_NAMESPACES.inference, lineageNames.endpointDeployJob(endpoint.name))}`,
      `DATASET ${node(LINEAGE_NAMESPACES.inference, lineageNames.endpoint(endpoint.id))}`,
      `JOB ${node(LINEAGE_NAMESPACES.inference, lineageNames.endpointDeployJob(appEndpoint.name))}`,
      `DATASET ${node(LINEAGE_NAMESPACES.inference, lineageNames.endpoint(appEndpoint.id))}`,
      `JOB ${node(LINEAGE_NAMESPACES.apps, lineageNames.applicationDeployJob('Car Desk', 'production'))}`,
      `DATASET ${node(LINEAGE_NAMESPACES.apps, lineageNames.application(app.id))}`,
      `JOB ${node(LINEAGE_NAMESPACES.inference, lineageNames.batchInferenceJob(endpoint.name))}`,
      `DATASET ${node(LINEAGE_NAMESPACES.catalog, lineageNames.catalogDataset(batch.outputDataset.id))}`,
      `JOB ${node(LINEAGE_NAMESPACES.synthetic, lineageNames.syntheticJob(synthId))}`,
      `DATASET ${node(LINEAGE_NAMESPACES.catalog, lineageNames.catalogDataset(synth.output.id))}`,
    ];
    const fromDataset = await waitFor(
      async () => {
        const g = (
          await ok(
            LINEAGE,
            {
              from: { namespace: LINEAGE_NAMESPACES.catalog, name: lineageNames.catalogDataset(datasetId) },
              dir: 'DOWNSTREAM',
            },
            owner,
          )
        ).lineage;
        const seen = new Set(g.nodes.map((n: any) => `${n.node.kind} ${node(n.node.namespace, n.node.name)}`));
        return expected.every((e) => seen.has(e)) ? g : undefined;
      },
      'the whole chain downstream of the dataset',
      { timeoutMs: 30_000, intervalMs: 200 },
    ).catch(async (err) => {
      const g = await p.call(
        LINEAGE,
        {
          from: { namespace: LINEAGE_NAMESPACES.catalog, name: lineageNames.catalogDataset(datasetId) },
          dir: 'DOWNSTREAM',
        },
        owner,
      );
      throw new Error(`${err.message}; graph: ${JSON.stringify(g.data?.lineage?.nodes ?? g.errors)}`);
    });
    expect(fromDataset.truncated).toBe(false);
    for (const n of fromDataset.nodes) expect(n.node.namespace).toMatch(/^aic:\/\//);
    const byName = new Map(
      fromDataset.nodes.map((n: any) => [`${n.node.kind} ${node(n.node.namespace, n.node.name)}`, n]),
    );
    const id = (key: string) => (byName.get(key) as any).node.id;
    const edges = new Set(fromDataset.edges.map((e: any) => `${e.fromId} ${e.toId}`));
    const linked = (from: string, to: string) =>
      expect(edges.has(`${id(from)} ${id(to)}`), `${from} → ${to}`).toBe(true);
    const datasetNode = `DATASET ${node(LINEAGE_NAMESPACES.catalog, lineageNames.catalogDataset(datasetId))}`;
    expect(byName.has(datasetNode)).toBe(true);
    const chain = [datasetNode, ...expected.slice(0, 2), ...expected.slice(4, 8)];
    for (let i = 1; i < chain.length; i++) linked(chain[i - 1]!, chain[i]!);
    linked(expected[1]!, expected[2]!);
    linked(expected[2]!, expected[3]!);
    // The batch run reads the dataset, the routed model version and the endpoint; the synthetic run reads the dataset.
    linked(datasetNode, expected[8]!);
    linked(expected[1]!, expected[8]!);
    linked(expected[3]!, expected[8]!);
    linked(expected[8]!, expected[9]!);
    linked(datasetNode, expected[10]!);
    linked(expected[10]!, expected[11]!);
  }, 300_000);
});
