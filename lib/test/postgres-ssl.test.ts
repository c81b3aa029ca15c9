// DATABASE_URL's sslmode reaches the PostgreSQL driver (MikroORM reads only host, port, user, password
// and database from the URL: `?sslmode=require` alone used to connect in plain text). Checked against
// the test server, which has TLS off: sslmode=require must then fail the TLS handshake, disable must connect.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Entity, PrimaryKey } from '@mikro-orm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/env';
import { createOrm, postgresSsl } from '../src/orm';
import { testPostgresDatabase } from '../src/testing/postgres';

@Entity({ tableName: 'ssl_probe' })
class SslProbe {
  @PrimaryKey({ type: 'string' })
  id!: string;
}

const pg = testPostgresDatabase('aic_ssl');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-ssl-'));
afterAll(async () => {
  await pg.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const open = (query: string) =>
  createOrm({ databaseUrl: `${pg.url}${query}`, dataDir: dir, serviceName: 'ssl', entities: [SslProbe] });

describe('PostgreSQL sslmode', () => {
  it('reads libpq sslmode values as the driver TLS settings', () => {
    expect(postgresSsl('postgresql://u@h/db')).toBeUndefined();
    expect(postgresSsl('postgresql://u@h/db?sslmode=disable')).toBe(false);
    expect(postgresSsl('postgresql://u@h/db?sslmode=require')).toEqual({ rejectUnauthorized: false });
    expect(postgresSsl('postgresql://u@h/db?sslmode=verify-full')).toEqual({ rejectUnauthorized: true });
    const ca = path.join(dir, 'root.crt');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(postgresSsl(`postgresql://u@h/db?sslmode=verify-ca&sslrootcert=${encodeURIComponent(ca)}`)).toEqual({
      rejectUnauthorized: true,
      ca: fs.readFileSync(ca, 'utf8'),
    });
    expect(() => postgresSsl('postgresql://u@h/db?sslmode=sometimes')).toThrow(ConfigError);
  });

  it('asks the server for TLS with sslmode=require, and connects in plain text only when told to', async () => {
    // The test server does not speak TLS: a driver that asked for it is refused.
    await expect(open('?sslmode=require')).rejects.toThrow(/SSL|TLS/i);
    const orm = await open('?sslmode=disable');
    try {
      expect(await orm.isConnected()).toBe(true);
    } finally {
      await orm.close(true);
    }
  });
});
