import { randomBytes } from 'node:crypto';
import { MikroORM as PostgresOrm } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDenseSigmoidModel, buildInt64ArithmeticModel } from './support/onnx-model.builder';
import {
  ALL_INFERENCE,
  settledEndpoint,
  startInferenceHarness,
  type InferenceHarness,
} from './support/inference.harness';
import { POSTGRES_REACHABLE, TEST_POSTGRES, testPostgresLabel } from '../../../lib/src/testing/postgres';

const SERVER = TEST_POSTGRES;
const listening = POSTGRES_REACHABLE;
if (!listening)
  console.warn(`${testPostgresLabel()} does not answer: the PostgreSQL run of the inference suite is skipped`);

const database = `aic_inference_test_${randomBytes(6).toString('hex')}`;
let h: InferenceHarness;

describe.skipIf(!listening)('inference on PostgreSQL', () => {
  beforeAll(async () => {
    h = await startInferenceHarness({ databaseUrl: `${SERVER}/${database}` });
  });
  afterAll(async () => {
    await h?.close();
    const admin = await PostgresOrm.init({
      clientUrl: `${SERVER}/postgres`,
      entities: [],
      discovery: { warnWhenNoEntities: false },
      allowGlobalContext: false,
    });
    await admin.em.getConnection().execute(`drop database if exists "${database}" with (force)`);
    await admin.close(true);
  });

  it('stores endpoints, serves predictions and keeps names unique per organization', async () => {
    const admin = await h.token(ALL_INFERENCE);
    const a = h.platform.addModel({
      organizationId: h.org,
      modelName: 'dense',
      version: 1,
      bytes: buildDenseSigmoidModel([[1], [1]], [0]),
    });
    const b = h.platform.addModel({
      organizationId: h.org,
      modelName: 'int',
      version: 1,
      bytes: buildInt64ArithmeticModel(2),
    });
    const create = 'mutation($i: CreateEndpointInput!) { createEndpoint(input: $i) { id } }';
    const first = await h.gql(
      create,
      { i: { name: 'pg', routes: [{ modelVersion: a.id, weight: 1 }], warmupDims: [{ name: 'batch', size: 2 }] } },
      admin,
    );
    expect(first.errors).toBeUndefined();
    expect((await settledEndpoint(h, first.data.createEndpoint.id, admin)).status).toBe('READY');
    const dup = await h.gql(create, { i: { name: 'pg', routes: [{ modelVersion: b.id, weight: 1 }] } }, admin);
    expect(dup.errors?.[0].extensions.code).toBe('CONFLICT');
    const other = await h.gql(create, { i: { name: 'ints', routes: [{ modelVersion: b.id, weight: 1 }] } }, admin);
    await settledEndpoint(h, other.data.createEndpoint.id, admin);
    const res = await h.gql(
      'mutation($i: PredictInput!) { predict(input: $i) { outputs { name data } } }',
      {
        i: {
          endpoint: 'ints',
          inputs: [
            { name: 'a', datatype: 'INT64', shape: [1, 2], data: ['9007199254740993', 3] },
            { name: 'b', datatype: 'INT64', shape: [1, 2], data: [1, -4] },
          ],
        },
      },
      admin,
    );
    expect(res.data.predict.outputs).toEqual([
      { name: 'sum', data: ['9007199254740994', -1] },
      { name: 'prod', data: ['9007199254740993', -12] },
    ]);
    const list = await h.gql('{ endpoints { name warmupDims { name size } } }', {}, admin);
    expect(list.data.endpoints).toEqual([
      { name: 'ints', warmupDims: [] },
      { name: 'pg', warmupDims: [{ name: 'batch', size: 2 }] },
    ]);
  });
});
