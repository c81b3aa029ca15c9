import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { gql } from '../../../lib/src/testing/harness';
import { waitFor } from '../../../lib/src/testing/wait-for';
import type { TestIssuer } from '../../../lib/src/testing/test-issuer';
import { startTestIssuer } from '../../../lib/src/testing/test-issuer';
import { ALL_APPS } from './support/apps.harness';

// The apps service as its own process at debug level: whatever a client sends as a secret must
// not show up in anything it logs.
const SECRET = 'hunter2-s3cr3t-in-clear';
let issuer: TestIssuer;
let child: ChildProcess;
let output = '';
let url = '';
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-apps-logs-'));

beforeAll(async () => {
  issuer = await startTestIssuer();
  child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../src/main.ts')], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      AIC_DATA_DIR: dataDir,
      DATABASE_URL: ':memory:',
      AIC_JWKS_URL: issuer.jwksUrl,
      LOG_LEVEL: 'debug',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const until = Date.now() + 90_000;
  while (!url && Date.now() < until) {
    url = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(output)?.[1] ?? '';
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!url) throw new Error(`apps did not start:\n${output}`);
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await issuer?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('never writes a secret sent in clear to its logs', async () => {
  const token = await issuer.issue({ org: 'org-logs', perms: ALL_APPS });
  const app = await gql(
    `${url}/graphql`,
    'mutation { createApplication(input: { name: "Logged" }) { id } }',
    {},
    token,
  );
  const id = app.data.createApplication.id;
  const refused = await gql(
    `${url}/graphql`,
    `mutation($id: ID!) { createConfigVersion(input: { applicationId: $id, entries: [{ key: "DB_PASSWORD", value: "${SECRET}" }] }) { id } }`,
    { id },
    token,
  );
  expect(refused.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  const stored = await gql(
    `${url}/graphql`,
    'mutation($id: ID!) { createConfigVersion(input: { applicationId: $id, entries: [{ key: "DB_PASSWORD", secret: { name: "db", key: "password" } }] }) { id } }',
    { id },
    token,
  );
  expect(stored.errors).toBeUndefined();
  // One request log line per request: all three have been written once the third appears.
  await waitFor(() => (output.match(/"path":"\/graphql"/g)?.length ?? 0) >= 3, 'the request log lines');
  expect(output).not.toContain(SECRET);
});
