import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { gql } from '../../lib/src/testing/harness';
import { waitFor } from '../../lib/src/testing/wait-for';
import { SDMETRICS_FIXTURES } from '../fixtures';
import type { ReplicaPlatform } from '../support/replicas';
import { replicaPlatform, signIn } from '../support/replicas';

let p: ReplicaPlatform;
let token = '';
beforeAll(async () => {
  p = await replicaPlatform(1, { AIC_JOB_LEASE_MS: '2000' });
  await p.start();
  token = await signIn(p.replicas[0]!.graphqlUrl, p.owner);
}, 180_000);
afterAll(() => p?.stop(), 60_000);
const call = async (q: string, v: Record<string, unknown> = {}) => {
  const r = await gql(p.replicas[0]!.graphqlUrl, q, v, token);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data;
};
const FEATURES = ['second_perc', 'high_perc', 'degree_perc', 'employability_perc', 'mba_perc'];
const base = fs.readFileSync(path.join(SDMETRICS_FIXTURES, 'student_placements_real.csv'), 'utf8').trim().split('\n');
const copies = Number(process.env.COPIES ?? 20);
const big = [base[0], ...Array.from({ length: copies }, () => base.slice(1)).flat()].join('\n') + '\n';
async function upload(name: string, csv: string) {
  const id = (await call('mutation($i: CreateDatasetInput!) { createDataset(input: $i) { id } }', { i: { name, format: 'CSV' } })).createDataset.id;
  const t = (await call('mutation($i: CreateDatasetUploadInput!) { createDatasetUpload(input: $i) { id url token } }', { i: { purpose: 'DATASET_CONTENT', filename: `${name}.csv`, contentType: 'text/csv' } })).createDatasetUpload;
  const put = await fetch(t.url, { method: 'PUT', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'text/csv' }, body: csv });
  if (put.status !== 201) throw new Error(`put ${put.status} ${await put.text()}`);
  await call('mutation($d: ID!, $u: ID!) { addDatasetVersion(datasetId: $d, uploadId: $u) { version } }', { d: id, u: t.id });
  await waitFor(async () => (await call('query($id: ID!) { dataset(id: $id) { versions { status } } }', { id })).dataset.versions[0].status === 'READY', 'ready', { timeoutMs: 60_000, intervalMs: 100 });
  return id;
}
it('measures', async () => {
  let t = Date.now();
  const small = await upload('placements', base.join('\n') + '\n');
  const bigId = await upload('placements-big', big);
  console.log('uploads', Date.now() - t);
  t = Date.now();
  const train = async (name: string, hp: any, ds = small, algorithm = 'MLP_CLASSIFIER') => {
    const j = (await call('mutation($i: StartTrainingJobInput!) { startTrainingJob(input: $i) { id } }', { i: { modelName: name, datasetId: ds, featureColumns: FEATURES, targetColumn: 'placed', algorithm, hyperparameters: hp } })).startTrainingJob;
    const s = Date.now();
    const done = await waitFor(async () => { const x = (await call('query($id: ID!) { trainingJob(id: $id) { state epoch error modelVersion { id } } }', { id: j.id })).trainingJob; return ['SUCCEEDED','FAILED','CANCELLED'].includes(x.state) && x; }, 'train', { timeoutMs: 120_000, intervalMs: 100 });
    console.log('train', name, JSON.stringify(hp), Date.now() - s, JSON.stringify(done));
    return done;
  };
  const base1 = await train('base', { epochs: 3, seed: 1 }, small, 'LOGISTIC_REGRESSION');
  await train('mlp1', { epochs: Number(process.env.EPOCHS ?? 40), batchSize: 1, hiddenLayers: [32, 32], seed: 1 });
  await train('mlp2', { epochs: 10, batchSize: 1, hiddenLayers: [32, 32], seed: 1 }, bigId);
  const ep = (await call('mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id status } }', { i: { name: 'scorer', routes: [{ modelVersion: base1.modelVersion.id, weight: 100 }] } })).createEndpoint;
  await waitFor(async () => (await call('query($id: String!) { endpoint(id: $id) { status } }', { id: ep.id })).endpoint.status === 'READY', 'ep', { timeoutMs: 30_000 });
  t = Date.now();
  const b = (await call('mutation($i: StartBatchInferenceInput!) { startBatchInference(input: $i) { id } }', { i: { endpoint: 'scorer', dataset: bigId, mapping: [{ input: 'features', columns: FEATURES }], passthroughColumns: ['student_id'], outputDatasetName: 'scores', chunkSize: 1 } })).startBatchInference;
  const bd = await waitFor(async () => { const x = (await call('query($id: ID!) { batchInferenceJob(id: $id) { status rowsDone rowsTotal rowsFailed error outputDataset { id } } }', { id: b.id })).batchInferenceJob; return ['SUCCEEDED','FAILED','CANCELLED','PARTIAL'].includes(x.status) && x; }, 'batch', { timeoutMs: 120_000, intervalMs: 100 });
  console.log('batch', Date.now() - t, JSON.stringify(bd));
  t = Date.now();
  const s = (await call('mutation($i: CreateSyntheticDataJobInput!) { createSyntheticDataJob(input: $i) { id } }', { i: { sourceDatasetId: small, rows: Number(process.env.SROWS ?? 5000), seed: 3, outputName: 'synth' } })).createSyntheticDataJob;
  const sd = await waitFor(async () => { const x = (await call('query($id: ID!) { syntheticDataJob(id: $id) { status stage progress error output { id } } }', { id: s.id })).syntheticDataJob; return ['SUCCEEDED','FAILED','CANCELLED'].includes(x.status) && x; }, 'synth', { timeoutMs: 120_000, intervalMs: 100 });
  console.log('synth', Date.now() - t, JSON.stringify(sd));
}, 600_000);
