// `npm start`'s launcher, run from source: the platform comes up, signs in, survives Ctrl-C and a
// restart with its data, and prints the first-run credentials only once.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES, SUBGRAPH_NAMES } from '../lib/contracts/services';
import { gql } from '../lib/src/testing/harness';
import { startOtlpCollector } from '../lib/src/testing/otlp-collector';

const root = path.resolve(__dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-start-'));
let offset = 0;
let gatewayUrl = '';
let child: ChildProcess | undefined;
// An OTLP/HTTP collector: the spans every process of the platform exports.
let collector: Awaited<ReturnType<typeof startOtlpCollector>> | undefined;

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

// Ports 4000+offset..4007+offset, all free now and below the kernel's ephemeral range (32768 and up
// on Linux), where the other tests' connections and port-0 servers would come and go.
beforeAll(async () => {
  for (let attempt = 0; attempt < 50 && !offset; attempt++) {
    const candidate = 10_000 + Math.floor(Math.random() * 18_000);
    const ports = Array.from({ length: 8 }, (_, i) => 4000 + candidate + i);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) offset = candidate;
  }
  if (!offset) throw new Error('no 8 consecutive free ports found for the launcher');
  gatewayUrl = `http://127.0.0.1:${4000 + offset}/graphql`;
  collector = await startOtlpCollector();
});

afterAll(() => {
  // The launcher runs in its own process group: a failed test takes its services down with it.
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  void collector?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function launch(): { proc: ChildProcess; output: () => string; ready: Promise<void> } {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/start.ts')], {
    cwd: root,
    env: {
      ...process.env,
      AIC_DATA_DIR: dataDir,
      AIC_PORT_OFFSET: String(offset),
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector?.url ?? '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('AIC AI Platform is running')) {
        clearInterval(timer);
        resolve();
      }
    }, 100);
    proc.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`launcher exited with ${code}:\n${out}`));
    });
  });
  return { proc, output: () => out, ready };
}

const stop = (proc: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => resolve(code));
    proc.kill('SIGINT');
  });

describe('npm start', () => {
  it('starts, prints how to sign in, survives Ctrl-C and a restart with the data intact', async () => {
    const first = launch();
    child = first.proc;
    await first.ready;
    const out = first.output();
    expect(out).toContain(`http://localhost:${4000 + offset}/graphql`);
    // Every service's process starts with its node flags (lib/contracts SERVICES, as the k8s args).
    const commands = execFileSync('ps', ['-o', 'pid=', '--ppid', String(first.proc.pid)], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .map((pid) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean));
    for (const name of ['gateway', ...SUBGRAPH_NAMES] as const) {
      const script = name === 'gateway' ? 'gateway/src/main.ts' : `subgraphs/${name}/src/main.ts`;
      const argv = commands.find((c) => c.at(-1)!.endsWith(script));
      expect(argv, `${name} among ${commands.map((c) => c.join(' ')).join('; ')}`).toBeDefined();
      const flags = SERVICES[name].nodeFlags;
      expect(argv!.slice(-1 - flags.length, -1), name).toEqual(flags);
      if (!flags.length)
        expect(
          argv!.some((a) => a.startsWith('--initial-')),
          name,
        ).toBe(false);
    }
    const password = /password: (\S+)/.exec(out)?.[1];
    const email = /email: +(\S+)/.exec(out)?.[1];
    expect(email && password).toBeTruthy();
    const login = await gql(
      gatewayUrl,
      'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
      { e: email, p: password },
    );
    const token = login.data.login.accessToken;
    const traceId = 'e'.repeat(32);
    const created = await gql(
      gatewayUrl,
      'mutation Traced { createUser(input: { email: "kept@example.com", name: "Kept", password: "kept password 123" }) { id } }',
      {},
      token,
      { traceparent: `00-${traceId}-${'f'.repeat(16)}-01` },
    );
    expect(created.errors).toBeUndefined();
    // One trace across the processes: the gateway's span (child of the caller's) and identity's (child of the gateway's).
    const spanOf = (service: string) =>
      collector!.spans.find(
        (s) =>
          s.traceId === traceId &&
          s.attributes.some((a) => a.key === 'service.name' && a.value.stringValue === service),
      );
    for (let waited = 0; waited < 10_000 && !(spanOf('gateway') && spanOf('identity')); waited += 100)
      await new Promise((r) => setTimeout(r, 100));
    expect(spanOf('gateway')?.parentSpanId).toBe('f'.repeat(16));
    expect(spanOf('identity')?.parentSpanId).toBe(spanOf('gateway')?.spanId);
    // Separate processes and no Redis: a logout reaches the gateway and every subgraph within a second.
    const session = (
      await gql(
        gatewayUrl,
        'mutation { login(email: "kept@example.com", password: "kept password 123") { accessToken } }',
      )
    ).data.login.accessToken;
    const places = [
      gatewayUrl,
      ...Array.from({ length: 7 }, (_, i) => `http://127.0.0.1:${4001 + i + offset}/graphql`),
    ];
    const statuses = () =>
      Promise.all(places.map(async (url) => (await gql(url, '{ __typename }', {}, session)).status));
    expect(await statuses()).toEqual(places.map(() => 200));
    expect((await gql(gatewayUrl, 'mutation { logout }', {}, session)).data.logout).toBe(true);
    let refused: number[] = [];
    for (const deadline = Date.now() + 1000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 25)))
      if ((refused = await statuses()).every((s) => s === 401)) break;
    expect(refused).toEqual(places.map(() => 401));
    expect(await stop(first.proc)).toBe(0);

    // Issue #16, 7d: the data is the services' user's only, and identity's private key is not in its file.
    const modeOf = (file: string) => fs.statSync(path.join(dataDir, file)).mode & 0o777;
    expect(modeOf('.')).toBe(0o700);
    for (const file of fs.readdirSync(dataDir).filter((f) => fs.statSync(path.join(dataDir, f)).isFile()))
      expect(modeOf(file), file).toBe(0o600);
    expect(fs.readdirSync(dataDir)).toEqual(
      expect.arrayContaining(['identity.sqlite', 'key-encryption.secret', 'service.secret']),
    );
    expect(fs.readFileSync(path.join(dataDir, 'identity.sqlite')).includes('"d":"')).toBe(false);

    const second = launch();
    child = second.proc;
    await second.ready;
    expect(second.output()).not.toContain(password);
    expect(second.output()).not.toContain('Created organization');
    const again = await gql(
      gatewayUrl,
      'mutation { login(email: "kept@example.com", password: "kept password 123") { user { email } } }',
    );
    expect(again.data.login.user.email).toBe('kept@example.com');
    expect(await stop(second.proc)).toBe(0);
    child = undefined;
  }, 240_000);
});
