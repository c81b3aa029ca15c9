// Issue #16, 7d: data files are readable by the services' user only, and identity's private signing
// keys are encrypted at rest with a key-encryption key (KEK) from the environment: production
// refuses to start without one, plain keys of older databases are encrypted on boot, and a rotation
// to a new KEK keeps every key (and every token it signed) usable while re-encrypting them.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterAll, assert, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ensureLocalSecret, parseKeyEncryptionKeys, SecretBox } from '../../lib/src/index';
import { gql, type RunningService, startService } from '../../lib/src/testing/harness';
import { testPostgresDatabase } from '../../lib/src/testing/postgres';
import { loadConfig } from '../../subgraphs/identity/src/config';
import { createServer, type IdentityServer } from '../../subgraphs/identity/src/server';
import { startPlatform } from '../support/platform';

const root = path.resolve(__dirname, '..', '..');
const OWNER = { email: 'owner@example.com', password: 'owner password at rest' };
const kek = () => randomBytes(32).toString('base64');
const kekId = (value: string) => parseKeyEncryptionKeys(value, 'KEK')[0]!.id;
const mode = (file: string) => fs.statSync(file).mode & 0o777;

interface Booted {
  identity: IdentityServer;
  service: RunningService;
  stop(): Promise<void>;
}

/** Identity on `databaseUrl` (unset: a SQLite file in `dataDir`) with these settings. */
async function bootIdentity(
  dataDir: string,
  databaseUrl: string | undefined,
  env: Record<string, string>,
): Promise<Booted> {
  const config = loadConfig({
    AIC_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl ?? '',
    LOG_LEVEL: 'silent',
    AIC_ADMIN_EMAIL: OWNER.email,
    AIC_ADMIN_PASSWORD: OWNER.password,
    ...env,
  });
  const identity = await createServer({ ...config, port: 0, host: '127.0.0.1' });
  const service = await startService('identity', identity.server);
  return { identity, service, stop: () => service.stop() };
}

/** The signing keys as the database holds them. */
async function storedKeys(booted: Booted): Promise<{ kid: string; privateJwk: Record<string, string> }[]> {
  const rows = await booted.identity.orm.em.getConnection().execute('select kid, private_jwk from signing_keys');
  return rows.map((r: { kid: string; private_jwk: unknown }) => ({
    kid: r.kid,
    privateJwk:
      typeof r.private_jwk === 'string' ? JSON.parse(r.private_jwk) : (r.private_jwk as Record<string, string>),
  }));
}

/** The sealed private key (`{ jwe }`) of a stored signing key. */
function jweOf(key: { kid: string; privateJwk: Record<string, string> }): string {
  const jwe = key.privateJwk.jwe;
  if (typeof jwe !== 'string') throw new Error(`signing key ${key.kid} is not sealed`);
  return jwe;
}

async function login(booted: Booted): Promise<string> {
  const res = await gql(
    booted.service.graphqlUrl,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    { e: OWNER.email, p: OWNER.password },
  );
  if (!res.data?.login) throw new Error(JSON.stringify(res.errors));
  return res.data.login.accessToken;
}

async function me(booted: Booted, token: string): Promise<string | undefined> {
  return (await gql(booted.service.graphqlUrl, '{ me { email } }', {}, token)).data?.me?.email;
}

/** Every file of the SQLite database (journal and WAL included) as bytes. */
function databaseBytes(dataDir: string): Buffer {
  return Buffer.concat(
    fs
      .readdirSync(dataDir)
      .filter((f) => f.startsWith('identity.sqlite'))
      .map((f) => fs.readFileSync(path.join(dataDir, f))),
  );
}

const pg = testPostgresDatabase('aic_at_rest');
afterAll(() => pg.drop());

describe.each([
  { db: 'SQLite', databaseUrl: undefined as string | undefined },
  { db: 'PostgreSQL', databaseUrl: 'pg' },
])('identity private signing keys at rest on $db', ({ databaseUrl: which }) => {
  let dataDir: string;
  let databaseUrl: string | undefined;
  beforeAll(() => {
    // The tests below run in order on one database, as an operator's database lives through upgrades.
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-at-rest-'));
    databaseUrl = which ? pg.url : undefined;
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  const A = kek();
  const B = randomBytes(32).toString('base64url');
  let token: string;
  let plainD: string;

  it('outside production without a KEK keeps the key plain (the state of databases made before this change)', async () => {
    const booted = await bootIdentity(dataDir, databaseUrl, {});
    try {
      const [key] = await storedKeys(booted);
      assert.isDefined(key);
      const d = key.privateJwk.d;
      assert.isDefined(d);
      expect(d).toEqual(expect.any(String));
      plainD = d;
      token = await login(booted);
    } finally {
      await booted.stop();
    }
    // What the next test must no longer find.
    if (!databaseUrl) expect(databaseBytes(dataDir).includes(plainD)).toBe(true);
  });

  it('encrypts a plain key on the first boot with a KEK; tokens it signed keep verifying; no plain key bytes remain', async () => {
    const booted = await bootIdentity(dataDir, databaseUrl, { AIC_KEY_ENCRYPTION_KEY: A });
    try {
      const [key] = await storedKeys(booted);
      assert.isDefined(key);
      expect(Object.keys(key.privateJwk)).toEqual(['jwe']);
      expect(decodeProtectedHeader(jweOf(key))).toMatchObject({ alg: 'dir', enc: 'A256GCM', kid: kekId(A) });
      const opened = JSON.parse(
        (await new SecretBox(parseKeyEncryptionKeys(A, 'KEK')).open(jweOf(key), `signing-key:${key.kid}`)).plaintext,
      );
      expect(opened.d).toBe(plainD);
      expect(await me(booted, token)).toBe(OWNER.email);
      const fresh = await login(booted);
      expect(decodeProtectedHeader(fresh).kid).toBe(key.kid);
    } finally {
      await booted.stop();
    }
    if (!databaseUrl) {
      const bytes = databaseBytes(dataDir);
      expect(bytes.includes(plainD)).toBe(false);
      expect(bytes.includes(Buffer.from(plainD, 'base64url'))).toBe(false);
      expect(bytes.includes('"d":')).toBe(false);
    }
  });

  it('rotates to a new KEK listed first ("new,old"): keys re-encrypted with it, old tokens still verify', async () => {
    const booted = await bootIdentity(dataDir, databaseUrl, { AIC_KEY_ENCRYPTION_KEY: `${B},${A}` });
    try {
      const keys = await storedKeys(booted);
      for (const key of keys) expect(decodeProtectedHeader(jweOf(key)).kid).toBe(kekId(B));
      expect(await me(booted, token)).toBe(OWNER.email);
    } finally {
      await booted.stop();
    }
    const onlyNew = await bootIdentity(dataDir, databaseUrl, { AIC_KEY_ENCRYPTION_KEY: B });
    try {
      expect(await me(onlyNew, token)).toBe(OWNER.email);
      expect(await me(onlyNew, await login(onlyNew))).toBe(OWNER.email);
    } finally {
      await onlyNew.stop();
    }
  });

  it('refuses to boot when no configured KEK opens the keys, saying which setting to fix', async () => {
    await expect(bootIdentity(dataDir, databaseUrl, { AIC_KEY_ENCRYPTION_KEY: A })).rejects.toThrow(
      /key-encryption key [0-9a-f]{16}, which is not in AIC_KEY_ENCRYPTION_KEY/,
    );
    await expect(bootIdentity(dataDir, databaseUrl, { AIC_KEY_ENCRYPTION_KEY: kek() })).rejects.toThrow(
      /not in AIC_KEY_ENCRYPTION_KEY/,
    );
    await expect(bootIdentity(dataDir, databaseUrl, {})).rejects.toThrow(
      /encrypted at rest: set AIC_KEY_ENCRYPTION_KEY/,
    );
  });

  it("refuses a sealed key that was altered or moved to another key's row", async () => {
    const booted = await bootIdentity(dataDir, databaseUrl, { AIC_KEY_ENCRYPTION_KEY: B });
    let keys: { kid: string; privateJwk: Record<string, string> }[];
    try {
      await booted.identity.services.keys.rotate(booted.identity.orm.em.fork());
      keys = await storedKeys(booted);
    } finally {
      await booted.stop();
    }
    expect(keys).toHaveLength(2);
    const setJwk = async (kid: string, value: Record<string, string>) => {
      const raw = await openRaw(dataDir, databaseUrl);
      await raw.execute('update signing_keys set private_jwk = ? where kid = ?', [JSON.stringify(value), kid]);
      await raw.close();
    };
    // Moved: the first key's sealed value in the second key's row.
    await setJwk(keys[1]!.kid, keys[0]!.privateJwk);
    await expect(bootIdentity(dataDir, databaseUrl, { AIC_KEY_ENCRYPTION_KEY: B })).rejects.toThrow(
      /moved from another record/,
    );
    // Altered: one bit of the ciphertext flipped.
    const [header, key, iv, ciphertext = '', tag] = jweOf(keys[1]!).split('.');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0]! ^= 1;
    await setJwk(keys[1]!.kid, { jwe: [header, key, iv, flipped.toString('base64url'), tag].join('.') });
    await expect(bootIdentity(dataDir, databaseUrl, { AIC_KEY_ENCRYPTION_KEY: B })).rejects.toThrow(/altered/);
    await setJwk(keys[1]!.kid, keys[1]!.privateJwk);
    const fine = await bootIdentity(dataDir, databaseUrl, { AIC_KEY_ENCRYPTION_KEY: B });
    try {
      expect(await me(fine, token)).toBe(OWNER.email);
    } finally {
      await fine.stop();
    }
  });
});

/** A bare connection to identity's database, as someone who can write to it has. */
async function openRaw(
  dataDir: string,
  databaseUrl: string | undefined,
): Promise<{ execute(sql: string, params: unknown[]): Promise<unknown>; close(): Promise<void> }> {
  if (databaseUrl) {
    const { MikroORM } = await import('@mikro-orm/postgresql');
    const orm = await MikroORM.init({
      clientUrl: databaseUrl,
      entities: [],
      discovery: { warnWhenNoEntities: false },
      allowGlobalContext: true,
    } as any);
    return { execute: (sql, params) => orm.em.getConnection().execute(sql, params), close: () => orm.close() };
  }
  const { MikroORM } = await import('@mikro-orm/libsql');
  const orm = await MikroORM.init({
    dbName: path.join(dataDir, 'identity.sqlite'),
    entities: [],
    discovery: { warnWhenNoEntities: false },
    allowGlobalContext: true,
  } as any);
  return { execute: (sql, params) => orm.em.getConnection().execute(sql, params), close: () => orm.close() };
}

describe('identity in production', () => {
  it('refuses to load its configuration without a KEK, or with a malformed one, naming the variable', () => {
    const env = { NODE_ENV: 'production', AIC_ADMIN_EMAIL: OWNER.email, AIC_ADMIN_PASSWORD: OWNER.password };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/AIC_KEY_ENCRYPTION_KEY is required in production/);
    for (const bad of [
      'short',
      'x'.repeat(44),
      randomBytes(33).toString('base64'),
      randomBytes(16).toString('hex'),
      `${kek()},oops`,
    ]) {
      expect(() => loadConfig({ ...env, AIC_KEY_ENCRYPTION_KEY: bad }), bad).toThrow(
        /AIC_KEY_ENCRYPTION_KEY\[\d\] must be 32 random bytes in base64/,
      );
    }
    const same = kek();
    expect(() => loadConfig({ ...env, AIC_KEY_ENCRYPTION_KEY: `${same},${same}` })).toThrow(/the same key twice/);
    expect(
      loadConfig({ ...env, AIC_KEY_ENCRYPTION_KEY: ` ${kek()} , ${randomBytes(32).toString('base64url')} ` }).identity
        .keyEncryptionKeys,
    ).toHaveLength(2);
  });

  it('main exits with that message when started for real without a KEK', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--require', 'reflect-metadata', path.join(root, 'subgraphs/identity/src/main.ts')],
      {
        cwd: root,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          PORT: '0',
          HOST: '127.0.0.1',
          AIC_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'aic-prod-')),
          AIC_KEY_ENCRYPTION_KEY: '',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/^identity failed to start: AIC_KEY_ENCRYPTION_KEY is required in production/);
  }, 60_000);

  it('runs through the gateway with one (the test platform gives identity a KEK, as the cluster Secret does)', async () => {
    const p = await startPlatform({ production: true, only: [] });
    try {
      expect((await p.call('{ me { email } }', {}, p.owner.token)).data.me.email).toBe(p.owner.email);
    } finally {
      await p.stop();
    }
  }, 120_000);
});

describe('files and folders the services create', () => {
  let previousUmask: number;
  beforeAll(() => {
    // A umask that would leave everything world-readable and writable: modes must not depend on it.
    previousUmask = process.umask(0);
  });
  afterAll(() => void process.umask(previousUmask));

  /** Every folder 0700 and every file 0600 under `dir`. @returns the entries checked */
  function expectPrivateTree(dir: string): string[] {
    const seen: string[] = [];
    const walk = (at: string) => {
      expect(mode(at), at).toBe(0o700);
      seen.push(at);
      for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
        const full = path.join(at, entry.name);
        if (entry.isDirectory()) walk(full);
        else {
          expect(mode(full), full).toBe(0o600);
          seen.push(full);
        }
      }
    };
    walk(dir);
    return seen;
  }

  it('databases, artifact stores and upload records are created 0600/0700 whatever the umask', async () => {
    const p = await startPlatform({ only: ['catalog'], env: { DATABASE_URL: '' } });
    try {
      const ticket = await p.call(
        'mutation { createDatasetUpload(input: { purpose: "DATASET_CONTENT", filename: "people.csv", contentType: "text/csv" }) { id token } }',
        {},
        p.owner.token,
      );
      expect(ticket.errors).toBeUndefined();
      const put = await fetch(`${p.services.catalog!.url}/uploads/${ticket.data.createDatasetUpload.id}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ticket.data.createDatasetUpload.token}`, 'content-type': 'text/csv' },
        body: 'name,age\nada,36\n',
      });
      expect(put.status).toBe(201);
      const catalogDir = path.join(p.dataDir, 'catalog');
      const entries = expectPrivateTree(catalogDir);
      expect(entries.some((e) => e.endsWith('catalog.sqlite'))).toBe(true);
      expect(entries.some((e) => /artifacts\/sha256\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(e))).toBe(true);
      expect(entries.some((e) => /uploads\/.*\.json$/.test(e))).toBe(true);
      expect(expectPrivateTree(path.join(p.dataDir, 'identity')).some((e) => e.endsWith('identity.sqlite'))).toBe(true);
    } finally {
      await p.stop();
    }
  }, 120_000);

  it('tightens what an older version left readable, on boot', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-loose-'));
    try {
      fs.chmodSync(dataDir, 0o755);
      const key = kek();
      const first = await bootIdentity(dataDir, undefined, { AIC_KEY_ENCRYPTION_KEY: key });
      await first.stop();
      fs.chmodSync(dataDir, 0o777);
      fs.chmodSync(path.join(dataDir, 'identity.sqlite'), 0o666);
      fs.writeFileSync(path.join(dataDir, 'identity.sqlite-journal'), '', { mode: 0o644 });
      fs.chmodSync(path.join(dataDir, 'identity.sqlite-journal'), 0o644);
      const secret = path.join(dataDir, 'service.secret');
      fs.writeFileSync(secret, randomUUID(), { mode: 0o644 });
      fs.chmodSync(secret, 0o644);
      const second = await bootIdentity(dataDir, undefined, { AIC_KEY_ENCRYPTION_KEY: key });
      await second.stop();
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, 'identity.sqlite'))).toBe(0o600);
      expect(mode(path.join(dataDir, 'identity.sqlite-journal'))).toBe(0o600);
      // npm start's local secrets (the launcher calls ensureLocalSecret for each of them).
      expect(ensureLocalSecret(dataDir, 'service')).toBe(fs.readFileSync(secret, 'utf8'));
      expect(mode(secret)).toBe(0o600);
      const generated = ensureLocalSecret(dataDir, 'key-encryption');
      expect(mode(path.join(dataDir, 'key-encryption.secret'))).toBe(0o600);
      expect(parseKeyEncryptionKeys(generated, 'AIC_KEY_ENCRYPTION_KEY')).toHaveLength(1);
      expect(ensureLocalSecret(dataDir, 'key-encryption')).toBe(generated);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
