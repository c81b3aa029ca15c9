import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SchemasHarness } from './schemas.harness';
import { READER, WRITER, startSchemas } from './schemas.harness';

let h: SchemasHarness;
let writer: string;
beforeAll(async () => {
  h = await startSchemas();
  writer = await h.token({ org: 'org-rest', perms: WRITER });
});
afterAll(async () => h?.stop());

const MEDIA = 'application/vnd.schemaregistry.v1+json';
const v1 = JSON.stringify({
  type: 'record',
  name: 'Click',
  namespace: 'io.aic.web',
  fields: [{ name: 'url', type: 'string' }],
});
const v2 = JSON.stringify({
  type: 'record',
  name: 'Click',
  namespace: 'io.aic.web',
  fields: [
    { name: 'url', type: 'string' },
    { name: 'ms', type: 'long', default: 0 },
  ],
});
const broken = JSON.stringify({
  type: 'record',
  name: 'Click',
  namespace: 'io.aic.web',
  fields: [{ name: 'url', type: 'int' }],
});

describe('Confluent Schema Registry REST API', () => {
  it('answers the calls of a Kafka Avro serializer and deserializer', async () => {
    const reg = await h.rest('POST', '/subjects/clicks-value/versions', writer, { schema: v1 });
    expect(reg.status).toBe(200);
    expect(reg.contentType).toContain(MEDIA);
    expect(reg.body).toEqual({ id: expect.any(Number) });
    const again = await h.rest('POST', '/subjects/clicks-value/versions', writer, { schema: v1 }, 'application/json');
    expect(again.body).toEqual(reg.body);
    const byId = await h.rest('GET', `/schemas/ids/${reg.body.id}`, writer);
    expect(byId).toMatchObject({ status: 200, body: { schema: v1 } });
    expect(byId.body.schemaType).toBeUndefined();
    const lookup = await h.rest('POST', '/subjects/clicks-value', writer, { schema: v1 });
    expect(lookup.body).toEqual({ subject: 'clicks-value', version: 1, id: reg.body.id, schema: v1 });
  });

  it('lists subjects and versions and reads a version, latest and raw', async () => {
    await h.rest('POST', '/subjects/clicks-value/versions', writer, { schema: v1 });
    const second = await h.rest('POST', '/subjects/clicks-value/versions', writer, { schema: v2 });
    expect((await h.rest('GET', '/subjects', writer)).body).toContain('clicks-value');
    expect((await h.rest('GET', '/subjects/clicks-value/versions', writer)).body).toEqual([1, 2]);
    expect((await h.rest('GET', '/subjects/clicks-value/versions/latest', writer)).body).toEqual({
      subject: 'clicks-value',
      version: 2,
      id: second.body.id,
      schema: v2,
    });
    const raw = await h.rest('GET', '/subjects/clicks-value/versions/1/schema', writer);
    expect(raw.body).toEqual(JSON.parse(v1));
    expect((await h.rest('GET', `/schemas/ids/${second.body.id}/versions`, writer)).body).toEqual([
      { subject: 'clicks-value', version: 2 },
    ]);
    expect((await h.rest('GET', '/schemas/types', writer)).body).toEqual(['AVRO', 'JSON', 'PROTOBUF']);
  });

  it('uses Confluent error codes and bodies', async () => {
    await h.rest('POST', '/subjects/clicks-value/versions', writer, { schema: v1 });
    const incompatible = await h.rest('POST', '/subjects/clicks-value/versions', writer, { schema: broken });
    expect(incompatible.status).toBe(409);
    expect(incompatible.body.error_code).toBe(409);
    expect(incompatible.body.message).toMatch(
      /^Schema being registered is incompatible with an earlier schema for subject "clicks-value" \(BACKWARD\), details: \[/,
    );
    expect(await h.rest('GET', '/subjects/nope/versions', writer)).toMatchObject({
      status: 404,
      body: { error_code: 40401 },
    });
    expect(await h.rest('GET', '/subjects/clicks-value/versions/99', writer)).toMatchObject({
      status: 404,
      body: { error_code: 40402 },
    });
    expect(await h.rest('GET', '/schemas/ids/999999', writer)).toMatchObject({
      status: 404,
      body: { error_code: 40403 },
    });
    expect(await h.rest('GET', '/subjects/clicks-value/versions/zero', writer)).toMatchObject({
      status: 422,
      body: { error_code: 42202 },
    });
    expect(await h.rest('POST', '/subjects/x/versions', writer, { schema: '{"type":"nope"}' })).toMatchObject({
      status: 422,
      body: { error_code: 42201 },
    });
    expect(await h.rest('POST', '/subjects/x/versions', writer, '{"schema": ')).toMatchObject({
      status: 400,
      body: { error_code: 400 },
    });
    expect(await h.rest('POST', '/subjects/clicks-value', writer, { schema: v2.replace('ms', 'other') })).toMatchObject(
      { status: 404, body: { error_code: 40403 } },
    );
  });

  it('checks compatibility against the latest or a given version', async () => {
    await h.rest('POST', '/subjects/clicks-value/versions', writer, { schema: v1 });
    expect(
      (await h.rest('POST', '/compatibility/subjects/clicks-value/versions/latest', writer, { schema: v2 })).body,
    ).toEqual({ is_compatible: true });
    expect(
      await h.rest('POST', '/compatibility/subjects/unknown/versions/latest', writer, { schema: v2 }),
    ).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect((await h.rest('POST', '/compatibility/subjects/unknown/versions', writer, { schema: v2 })).body).toEqual({
      is_compatible: true,
    });
    const verbose = await h.rest('POST', '/compatibility/subjects/clicks-value/versions/1?verbose=true', writer, {
      schema: broken,
    });
    expect(verbose.body).toEqual({
      is_compatible: false,
      messages: ['the new schema cannot read data written with version 1: #/fields/url cannot read "string" as "int"'],
    });
  });

  it('reads and writes global and subject config', async () => {
    const token = await h.token({ perms: WRITER });
    expect((await h.rest('GET', '/config', token)).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await h.rest('PUT', '/config', token, { compatibility: 'FULL' })).body).toEqual({ compatibility: 'FULL' });
    expect((await h.rest('GET', '/config/orders', token)).body.error_code).toBe(40408);
    expect((await h.rest('GET', '/config/orders?defaultToGlobal=true', token)).body).toEqual({
      compatibilityLevel: 'FULL',
    });
    expect((await h.rest('PUT', '/config/orders', token, { compatibility: 'none' })).body).toEqual({
      compatibility: 'NONE',
    });
    expect((await h.rest('GET', '/config/orders', token)).body).toEqual({ compatibilityLevel: 'NONE' });
    expect((await h.rest('PUT', '/config/orders', token, { compatibility: 'SOMETIMES' })).body.error_code).toBe(42203);
    expect((await h.rest('DELETE', '/config/orders', token)).body).toEqual({ compatibilityLevel: 'NONE' });
    expect((await h.rest('GET', '/config/orders', token)).status).toBe(404);
  });

  it('soft-deletes like Confluent', async () => {
    const token = await h.token({ perms: WRITER });
    await h.rest('POST', '/subjects/t/versions', token, { schema: v1 });
    await h.rest('POST', '/subjects/t/versions', token, { schema: v2 });
    expect((await h.rest('DELETE', '/subjects/t/versions/2', token)).body).toBe(2);
    expect((await h.rest('GET', '/subjects/t/versions', token)).body).toEqual([1]);
    expect((await h.rest('GET', '/subjects/t/versions?deleted=true', token)).body).toEqual([1, 2]);
    expect((await h.rest('DELETE', '/subjects/t', token)).body).toEqual([1, 2]);
    expect((await h.rest('GET', '/subjects', token)).body).toEqual([]);
    expect((await h.rest('GET', '/subjects?deleted=true', token)).body).toEqual(['t']);
    expect((await h.rest('DELETE', '/subjects/t?permanent=true', token)).body).toEqual([1, 2]);
    expect((await h.rest('GET', '/subjects?deleted=true', token)).body).toEqual([]);
  });

  it('registers JSON Schema and Protobuf with schemaType and references', async () => {
    const token = await h.token({ perms: WRITER });
    const unit = await h.rest('POST', '/subjects/unit/versions', token, {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3"; package aic; enum Unit { C = 0; F = 1; }',
    });
    expect(unit.status).toBe(422);
    const msg = await h.rest('POST', '/subjects/unit/versions', token, {
      schemaType: 'PROTOBUF',
      schema:
        'syntax = "proto3"; package aic; enum Unit { C = 0; F = 1; } message Temp { Unit unit = 1; double value = 2; }',
    });
    expect(msg.status).toBe(200);
    const reading = await h.rest('POST', '/subjects/reading/versions', token, {
      schemaType: 'PROTOBUF',
      schema: 'syntax = "proto3"; package aic; import "unit.proto"; message Reading { Temp temp = 1; }',
      references: [{ name: 'unit.proto', subject: 'unit', version: 1 }],
    });
    expect(reading.status).toBe(200);
    expect((await h.rest('GET', `/schemas/ids/${reading.body.id}`, token)).body).toMatchObject({
      schemaType: 'PROTOBUF',
      references: [{ name: 'unit.proto', subject: 'unit', version: 1 }],
    });
    expect((await h.rest('GET', '/subjects/unit/versions/1/referencedby', token)).body).toEqual([reading.body.id]);
    expect(await h.rest('DELETE', '/subjects/unit/versions/1', token)).toMatchObject({
      status: 422,
      body: { error_code: 42206 },
    });
    expect((await h.rest('GET', `/schemas/ids/${reading.body.id}/subjects`, token)).body).toEqual(['reading']);
  });

  it('authenticates with platform bearer tokens and checks permissions', async () => {
    expect(await h.rest('GET', '/subjects', undefined)).toMatchObject({ status: 401, body: { error_code: 40101 } });
    expect(await h.rest('GET', '/subjects', 'garbage')).toMatchObject({ status: 401, body: { error_code: 40101 } });
    const reader = await h.token({ org: 'org-rest', perms: READER });
    expect((await h.rest('GET', '/subjects', reader)).status).toBe(200);
    const basic = await fetch(`${h.service.url}/subjects`, {
      headers: { authorization: `Basic ${Buffer.from(`token:${reader}`).toString('base64')}` },
    });
    expect(basic.status).toBe(200);
    expect(await h.rest('POST', '/subjects/clicks-value/versions', reader, { schema: v1 })).toMatchObject({
      status: 403,
      body: { error_code: 40301 },
    });
    const stranger = await h.token({ perms: WRITER });
    const mine = await h.rest('POST', '/subjects/clicks-value/versions', writer, { schema: v1 });
    expect(await h.rest('GET', `/schemas/ids/${mine.body.id}`, stranger)).toMatchObject({
      status: 404,
      body: { error_code: 40403 },
    });
  });

  it('serves the internal route to a token of the owning organization only', async () => {
    const mine = await h.rest('POST', '/subjects/clicks-value/versions', writer, { schema: v1 });
    const internal = await fetch(`${h.service.url}/internal/schema-versions/${mine.body.id}`, {
      headers: { authorization: `Bearer ${writer}` },
    });
    expect(await internal.json()).toMatchObject({
      id: String(mine.body.id),
      subject: 'clicks-value',
      version: 1,
      type: 'AVRO',
      schema: v1,
      organizationId: 'org-rest',
    });
    const stranger = await h.token({ perms: ['schemas:read'] });
    expect(
      (
        await fetch(`${h.service.url}/internal/schema-versions/${mine.body.id}`, {
          headers: { authorization: `Bearer ${stranger}` },
        })
      ).status,
    ).toBe(404);
    expect((await fetch(`${h.service.url}/internal/schema-versions/${mine.body.id}`)).status).toBe(401);
  });
});
