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
import { contextFiles, copyFromContext } from './support/docker-context';

const root = path.resolve(__dirname, '..', '..');
const stages = parseDockerfile(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
const stage = (name: string) => stages.find((s) => s.name === name) as DockerStage;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-image-'));
const children: ChildProcess[] = [];

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

/** The folder standing for `name`'s filesystem at its WORKDIR. */
const stageRoot = (name: string) => path.join(tmp, name);

/** A path inside stage `name`'s filesystem (absolute, or relative to its WORKDIR), in its folder. */
function inStage(name: string, p: string): string {
  const workdir = stage(name).workdir ?? '/';
  return path.join(stageRoot(name), path.posix.relative(workdir, path.posix.resolve(workdir, p)));
}

/**
 * Runs a stage's COPY and RUN lines in its folder, in the Dockerfile's order within each kind (all of
 * this repository's Dockerfiles copy a stage's inputs before the RUN that reads them, checked here).
 * `run` handles each RUN line; it must return true (a RUN nobody handles fails).
 */
function runStage(s: DockerStage, context: string[], run: (command: string) => boolean) {
  for (const c of s.copies) {
    if (c.from) {
      const from = stage(c.from);
      expect(from, `COPY --from=${c.from}`).toBeDefined();
      // Moved rather than copied (a production node_modules is large): no stage reads another's output twice.
      for (const src of c.sources) {
        const target = inStage(
          s.name,
          c.dest.endsWith('/') ? path.posix.join(c.dest, path.posix.basename(src)) : c.dest,
        );
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.renameSync(inStage(from.name, src), target);
      }
    } else
      copyFromContext(
        root,
        context,
        stageRoot(s.name),
        c.sources,
        path.posix.relative(s.workdir ?? '/', path.posix.resolve(s.workdir ?? '/', c.dest)) || '.',
      );
  }
  for (const command of s.runs) expect(run(command), `RUN ${command}`).toBe(true);
}

/** Starts the runtime stage's ENTRYPOINT + `args` from the production tree. */
// What identity's Deployment takes from its Secret: production refuses to start without it.
const KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');

async function startFromImage(
  args: string[],
  env: Record<string, string>,
  port?: number,
): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const runtime = stage('runtime');
  port ??= await freePort();
  const child = spawn(runtime.entrypoint![0]!, [...runtime.entrypoint!.slice(1), ...args], {
    cwd: stageRoot('runtime'),
    env: {
      PATH: process.env.PATH ?? '',
      ...runtime.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      AIC_DATA_DIR: path.join(tmp, 'data'),
      HOME: tmp,
      ...env,
    },
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
    // The build context: what `docker build .` sends after .dockerignore. Each stage builds in its own
    // folder (its WORKDIR) from the context's files only, so a source the context lacks fails here too.
    const context = contextFiles(root);
    expect(context).toContain('package.json');
    expect(context.filter((f) => /^(k8s|test|docs)\//.test(f))).toEqual([]);
    for (const s of stages) fs.mkdirSync(stageRoot(s.name), { recursive: true });

    // Build stage: its COPY lines from the context, then its RUN lines. `npm ci` (the full dependency
    // tree, devDependencies included) is this checkout's node_modules, linked; every other RUN runs as
    // written and must succeed, as the image build requires.
    const build = stage('build');
    runStage(build, context, (run) => {
      if (/^npm ci(\s|$)/.test(run) && !run.includes('--omit=dev')) {
        fs.symlinkSync(path.join(root, 'node_modules'), path.join(stageRoot('build'), 'node_modules'), 'dir');
        return true;
      }
      const res = spawnSync('sh', ['-c', run], {
        cwd: stageRoot('build'),
        encoding: 'utf8',
        env: { ...process.env, ...build.env },
      });
      expect(res.status, `RUN ${run}\n${res.stdout}\n${res.stderr}`).toBe(0);
      return true;
    });
    expect(build.runs.at(-1)).toMatch(/^npx tsc -p \S+\.json$/);
    for (const src of ['scripts', 'k8s', 'test'])
      expect(fs.existsSync(path.join(stageRoot('build'), src)), `${src}/ is not in the image's sources`).toBe(false);

    // Deps stage: copy what it copies, run what it runs (the production `npm ci` for real).
    runStage(stage('deps'), context, (run) => {
      // `npm cache clean` keeps the image small; here it would wipe this machine's npm cache.
      const command = run
        .split('&&')
        .map((s) => s.trim())
        .filter((s) => !s.startsWith('npm cache clean'))
        .join(' && ');
      const res = spawnSync('sh', ['-c', command], {
        cwd: stageRoot('deps'),
        encoding: 'utf8',
        env: { ...process.env, ...stage('deps').env, npm_config_prefer_offline: 'true' },
      });
      expect(res.status, `${command}\n${res.stdout}\n${res.stderr}`).toBe(0);
      return true;
    });

    // Runtime stage: its copies from the context and the other stages. Its RUN only creates the data
    // folder at /var/lib/aic; here AIC_DATA_DIR points into the temporary folder instead.
    runStage(stage('runtime'), context, (run) => {
      expect(run).toBe('mkdir -p /var/lib/aic && chown 1000:1000 /var/lib/aic');
      return true;
    });
  }, 1_800_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await fs.promises.rm(tmp, { recursive: true, force: true });
  }, 300_000);

  it('produces a production tree: no devDependencies, Linux-only onnxruntime binaries, the entry points compiled', () => {
    expect(fs.existsSync(path.join(stageRoot('runtime'), 'node_modules/typescript'))).toBe(false);
    expect(fs.existsSync(path.join(stageRoot('runtime'), 'node_modules/vitest'))).toBe(false);
    expect(fs.existsSync(path.join(stageRoot('runtime'), 'node_modules/@apollo/gateway'))).toBe(true);
    expect(fs.readdirSync(path.join(stageRoot('runtime'), 'node_modules/onnxruntime-node/bin/napi-v6'))).toEqual([
      'linux',
    ]);
    const runtime = stage('runtime');
    expect(fs.existsSync(path.join(stageRoot('runtime'), runtime.cmd!.at(-1)!))).toBe(true);
    expect(runtime.user).toBe('1000:1000');
    expect(runtime.env.NODE_ENV).toBe('production');
    for (const s of fs.readdirSync(path.join(root, 'subgraphs'))) {
      if (fs.existsSync(path.join(root, 'subgraphs', s, 'src/main.ts')))
        expect(fs.existsSync(path.join(stageRoot('runtime'), 'dist/subgraphs', s, 'src/main.js')), s).toBe(true);
    }
  });

  /** identity from the image: the gateway learns revocations from it and is ready only once it has. */
  const startIdentity = (dataDir: string, port?: number) =>
    startFromImage(
      ['dist/subgraphs/identity/src/main.js'],
      { AIC_DATA_DIR: path.join(tmp, dataDir), AIC_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY },
      port,
    );

  it('starts the gateway (the image CMD) from it, answering /health/live and /metrics; not ready until identity answers, never exiting', async () => {
    const identityPort = await freePort();
    const gw = await startFromImage(stage('runtime').cmd!, {
      AIC_SUPERGRAPH_PATH: path.join(root, 'k8s/base/gateway/supergraph.graphql'),
      AIC_IDENTITY_URL: `http://127.0.0.1:${identityPort}`,
    });
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
    const identity = await startFromImage(['dist/subgraphs/identity/src/main.js'], {
      AIC_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY,
    });
    const ready = await waitFor(`${identity.url}/health/ready`, identity.child, identity.output);
    expect(ready.status).toBe(200);
    const jwks = (await (await fetch(`${identity.url}/.well-known/jwks.json`)).json()) as {
      keys: { kty: string; crv: string }[];
    };
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
        return {
          AIC_SUPERGRAPH_PATH: path.join(root, 'k8s/base/gateway/supergraph.graphql'),
          AIC_IDENTITY_URL: identity.url,
        };
      },
    ],
    [
      'identity',
      () => ['dist/subgraphs/identity/src/main.js'],
      async (): Promise<Record<string, string>> => ({
        AIC_DATA_DIR: path.join(tmp, 'drain-data'),
        AIC_KEY_ENCRYPTION_KEY: KEY_ENCRYPTION_KEY,
      }),
    ],
  ] as const)(
    '%s drains on SIGTERM: readiness 503 while the drain lasts, then exit code 0',
    async (_name, args, env) => {
      const svc = await startFromImage(args(), { ...(await env()), AIC_DRAIN_DELAY_SECONDS: '3' });
      await waitFor(`${svc.url}/health/ready`, svc.child, svc.output);
      const exited = new Promise<number | null>((resolve) => svc.child.once('exit', () => resolve(svc.child.exitCode)));
      svc.child.kill('SIGTERM');
      const statuses: (number | string)[] = [];
      let done = false;
      void exited.then(() => (done = true));
      while (!done) {
        statuses.push(
          await fetch(`${svc.url}/health/ready`).then(
            (r) => r.status,
            () => 'refused',
          ),
        );
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(statuses, svc.output()).toContain(503);
      expect(await exited, `signal ${svc.child.signalCode}\n${svc.output()}`).toBe(0);
    },
  );
});
