// `npm start`: the whole platform on one machine with embedded defaults. Starts every subgraph of
// lib/contracts' service map as its own process on its default port (the port of its routing_url in
// supergraph.yaml, which test/contracts.test.ts checks), each told the URLs of the others, waits until each is ready,
// then starts the gateway over the checked-in supergraph.graphql. A process that exits is started
// again after a growing pause (scripts/supervisor.ts) while the others keep running; one that keeps
// crashing is given up on with a message. Ctrl-C stops everything cleanly; data stays in .data/.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SERVICES, SUBGRAPH_NAMES, urlEnvOf, type ServiceName } from '../lib/contracts/services';
import { ensureLocalSecret, ensurePrivateDir, PRIVATE_FILE_MODE } from '../lib/src/private-files';
import { createSupervisor } from './supervisor';

// Compiled (dist/scripts/start.js, what `npm start` runs) or from source with tsx (tests).
const fromSource = __filename.endsWith('.ts');
const root = fromSource ? path.resolve(__dirname, '..') : path.resolve(__dirname, '..', '..');
const entry = (rel: string) => (fromSource ? path.join(root, `${rel}.ts`) : path.join(root, 'dist', `${rel}.js`));
const nodeArgs = fromSource
  ? ['--import', 'tsx', '--require', 'reflect-metadata']
  : ['--enable-source-maps', '--require', 'reflect-metadata'];
const dataDir = path.resolve(process.env.AIC_DATA_DIR ?? path.join(root, '.data'));
let stopping = false;
// AIC_RESTART_* tune the supervisor (tests make the pauses short).
const supervisor = createSupervisor({
  log: (line) => console.error(`[aic] ${line}`),
  initialDelayMs: Number(process.env.AIC_RESTART_INITIAL_DELAY_MS ?? 1000),
  maxDelayMs: Number(process.env.AIC_RESTART_MAX_DELAY_MS ?? 30_000),
  maxCrashes: Number(process.env.AIC_RESTART_MAX_CRASHES ?? 5),
  windowMs: Number(process.env.AIC_RESTART_WINDOW_MS ?? 60_000),
});

/** A secret shared by the local services, generated once and kept with the data (0600, never committed). */
function localSecret(name: string): string {
  return ensureLocalSecret(dataDir, name);
}

function startProcess(name: ServiceName, script: string, env: Record<string, string>): ChildProcess {
  return supervisor.add(name, () => spawnProcess(name, script, env));
}

function spawnProcess(name: ServiceName, script: string, env: Record<string, string>): ChildProcess {
  const proc = spawn(process.execPath, [...nodeArgs, ...SERVICES[name].nodeFlags, script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}]`.padEnd(12);
  const relay = (stream: NodeJS.ReadableStream, out: NodeJS.WriteStream) => {
    let buf = '';
    stream.on('data', (chunk) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        out.write(`${prefix} ${buf.slice(0, i)}\n`);
        buf = buf.slice(i + 1);
      }
    });
  };
  relay(proc.stdout!, process.stdout);
  relay(proc.stderr!, process.stderr);
  return proc;
}

async function waitReady(name: string, url: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (stopping) return;
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not become ready at ${url} within ${timeoutMs / 1000}s`);
}

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log('\n[aic] stopping ...');
  await supervisor.stop('SIGTERM');
  process.exit(code);
}

async function main() {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  // AIC_PORT_OFFSET moves every port (to run a second copy beside the first, or in tests).
  const offset = Number(process.env.AIC_PORT_OFFSET ?? 0);
  const origin = (name: (typeof SUBGRAPH_NAMES)[number], shift: number) =>
    `http://localhost:${SERVICES[name].port + shift}`;
  const urls: Record<string, string> = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, origin(name, offset)]));
  const gatewayPort = process.env.PORT ?? String(SERVICES.gateway.port + offset);
  let supergraphPath = path.join(root, 'supergraph.graphql');
  if (offset) {
    let sdl = fs.readFileSync(supergraphPath, 'utf8');
    for (const name of SUBGRAPH_NAMES)
      sdl = sdl.split(`url: "${origin(name, 0)}/graphql"`).join(`url: "${urls[name]}/graphql"`);
    ensurePrivateDir(dataDir);
    supergraphPath = path.join(dataDir, 'supergraph.graphql');
    fs.writeFileSync(supergraphPath, sdl, { mode: PRIVATE_FILE_MODE });
  }
  const shared: Record<string, string> = {
    AIC_DATA_DIR: dataDir,
    AIC_SERVICE_SECRET: process.env.AIC_SERVICE_SECRET ?? localSecret('service'),
    AIC_UPLOAD_SECRET: process.env.AIC_UPLOAD_SECRET ?? localSecret('upload'),
    AIC_PUBLIC_URL: process.env.AIC_PUBLIC_URL ?? `http://localhost:${gatewayPort}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    HOST: '127.0.0.1',
    ...Object.fromEntries(SUBGRAPH_NAMES.map((name) => [urlEnvOf(name), urls[name]])),
  };
  // Only identity keeps private keys at rest; it encrypts them with this key-encryption key.
  const identityOnly = { AIC_KEY_ENCRYPTION_KEY: process.env.AIC_KEY_ENCRYPTION_KEY ?? localSecret('key-encryption') };
  // Identity first (every other service needs its keys to boot), then the rest together.
  const order = [...SUBGRAPH_NAMES];
  for (const name of order) {
    startProcess(name, entry(`subgraphs/${name}/src/main`), {
      ...shared,
      ...(name === 'identity' ? identityOnly : {}),
      PORT: new URL(urls[name]!).port,
    });
    if (name === 'identity') await waitReady(name, urls[name]!);
  }
  await Promise.all(order.map((name) => waitReady(name, urls[name]!)));
  startProcess('gateway', entry('gateway/src/main'), {
    ...shared,
    PORT: gatewayPort,
    AIC_SUPERGRAPH_PATH: supergraphPath,
  });
  const gatewayUrl = `http://localhost:${gatewayPort}`;
  await waitReady('gateway', gatewayUrl);
  console.log(`
  AIC AI Platform is running.

  GraphQL gateway:  ${gatewayUrl}/graphql   (open it in a browser for Apollo Sandbox)
  Subgraphs:        ${order.map((n) => `${n} ${urls[n]}`).join(', ')}
  Data folder:      ${dataDir}

  Sign in:  mutation { login(email: "<admin email>", password: "<password>") { accessToken refreshToken } }
            then send the header  Authorization: Bearer <accessToken>
            (the admin's credentials were printed above by identity on the first start,
             or are AIC_ADMIN_EMAIL / AIC_ADMIN_PASSWORD when you set them)

  Ctrl-C stops everything; your data stays in ${path.relative(process.cwd(), dataDir) || dataDir}.
`);
}

main().catch((err) => {
  console.error(`[aic] ${err instanceof Error ? err.message : err}`);
  void shutdown(1);
});
