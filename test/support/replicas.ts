// Replicas of the whole platform as separate OS processes, the way `npm start` (scripts/start.ts) runs
// one: every subgraph of lib/contracts' service map in a process of its own (told the URLs of its own
// replica set's peers), then a gateway over the checked-in supergraph with those URLs. Every replica
// shares one PostgreSQL database per service, one Redis, one data folder (artifacts and uploads, as a
// shared volume would) and the secrets identity signs and seals with, so a token from one replica
// works on another and any replica may take over another's jobs.
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { MikroORM } from '@mikro-orm/core';
import Redis from 'ioredis';
import type { ServiceName, SubgraphName } from '../../lib/contracts/services';
import { SERVICES, SUBGRAPH_NAMES, urlEnvOf } from '../../lib/contracts/services';
import { gql } from '../../lib/src/testing/harness';
import { TEST_POSTGRES, testPostgresDatabase } from '../../lib/src/testing/postgres';
import { testRedisUrl } from '../../lib/src/testing/redis';
import { waitFor } from '../../lib/src/testing/wait-for';

const root = path.resolve(__dirname, '../..');
const SERVICE_ORDER: readonly ServiceName[] = [...SUBGRAPH_NAMES, 'gateway'];

/** One process of one replica. */
export interface ReplicaProcess {
  name: ServiceName;
  url: string;
  proc: ChildProcess;
  /** Its stdout and stderr so far (for failure messages). */
  output(): string;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** One full set of the platform: seven subgraphs and a gateway. */
export interface Replica {
  /** `A`, `B`, ... */
  label: string;
  urls: Record<ServiceName, string>;
  processes: Partial<Record<ServiceName, ReplicaProcess>>;
  graphqlUrl: string;
}

export interface ReplicaPlatform {
  replicas: Replica[];
  /** One database per subgraph, shared by every replica. */
  databases: Record<SubgraphName, { url: string; name: string }>;
  redisUrl: string;
  dataDir: string;
  owner: { email: string; password: string };
  /**
   * Starts every replica's subgraphs at the same moment (identity first in each), then the gateways.
   * As an orchestrator would, a process that exits while booting is started once more; each such
   * exit is kept in `bootFailures` (a test of simultaneous boot asserts there were none).
   */
  start(): Promise<void>;
  bootFailures: { replica: string; name: ServiceName; output: string }[];
  /** Sends `signal` to one process and waits until it has exited. */
  kill(replica: Replica, name: ServiceName, signal: NodeJS.Signals): Promise<number | NodeJS.Signals | null>;
  /** Starts a process of a replica again (after `kill`; nothing when it still runs) and waits until it is ready. */
  restart(replica: Replica, name: ServiceName): Promise<void>;
  /**
   * Runs `work` while the given processes of a replica are stopped (SIGSTOP, then SIGCONT): they take
   * no job meanwhile, so the jobs `work` starts are claimed by another replica.
   */
  paused<T>(replica: Replica, names: ServiceName[], work: () => Promise<T>): Promise<T>;
  /** Which replica's process of `service` has the pid (from a job claim's owner `host:pid:random`). */
  replicaOfPid(service: SubgraphName, pid: number): Replica | undefined;
  /** Runs SQL on one service's database (`?` placeholders). */
  sql<T = Record<string, unknown>>(service: SubgraphName, text: string, params?: unknown[]): Promise<T[]>;
  /** Every process's recent output, for a failing test's message. */
  logs(): string;
  /** Stops every process (SIGKILL after a grace period), drops the databases, removes the data folder. */
  stop(): Promise<void>;
}

const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/** `count` consecutive free ports below the kernel's ephemeral range (where port-0 servers come and go). */
async function freePorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 10_000 + Math.floor(Math.random() * 20_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return ports;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}

/** A private Ed25519 JWK with a kid, as `AIC_SIGNING_KEYS` takes it. */
function signingKey(): Record<string, string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    ...(privateKey.export({ format: 'jwk' }) as Record<string, string>),
    kid: `replicas-${randomBytes(4).toString('hex')}`,
  };
}

/**
 * Prepares `count` replicas (nothing runs until `start()`).
 * @param env extra environment for every process (e.g. `AIC_JOB_LEASE_MS`)
 */
export async function replicaPlatform(count: number, env: Record<string, string> = {}): Promise<ReplicaPlatform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-replicas-'));
  const id = randomBytes(4).toString('hex');
  const dbs = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, testPostgresDatabase(`aic_rep_${n}`)])) as Record<
    SubgraphName,
    ReturnType<typeof testPostgresDatabase>
  >;
  // A Redis database of its own (BullMQ queues and pub/sub prefixes are the service names), random prefixes elsewhere.
  const redisUrl = testRedisUrl(1 + Math.floor(Math.random() * 15));
  const owner = { email: 'owner@replicas.example.com', password: 'replicated first password' };
  const shared: Record<string, string> = {
    AIC_DATA_DIR: dataDir,
    REDIS_URL: redisUrl,
    AIC_REVOCATION_CHANNEL: `aic-test-${id}:revocations`,
    AIC_IDENTITY_REDIS_PREFIX: `aic-test-${id}-identity`,
    AIC_RATE_LIMIT_PREFIX: `aic-test-${id}-gateway`,
    AIC_SERVICE_SECRET: randomBytes(24).toString('hex'),
    AIC_UPLOAD_SECRET: randomBytes(24).toString('hex'),
    AIC_SIGNING_KEYS: JSON.stringify([signingKey()]),
    AIC_ADMIN_EMAIL: owner.email,
    AIC_ADMIN_PASSWORD: owner.password,
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    NODE_ENV: 'test',
    ...env,
  };
  const identityOnly = { AIC_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') };
  const ports = await freePorts(count * SERVICE_ORDER.length);
  const replicas: Replica[] = Array.from({ length: count }, (_, r) => {
    const urls = Object.fromEntries(
      SERVICE_ORDER.map((name, i) => [name, `http://127.0.0.1:${ports[r * SERVICE_ORDER.length + i]!}`]),
    ) as Record<ServiceName, string>;
    return { label: String.fromCharCode(65 + r), urls, processes: {}, graphqlUrl: `${urls.gateway}/graphql` };
  });
  // The test's own connections, to read job claims and rows (opened on first use, after the services made the databases).
  const orms = new Map<SubgraphName, Promise<MikroORM>>();
  const ormOf = (service: SubgraphName) => {
    let orm = orms.get(service);
    if (!orm) {
      orm = import('@mikro-orm/postgresql').then(({ MikroORM: PgORM }) =>
        PgORM.init({
          clientUrl: dbs[service].url,
          entities: [],
          discovery: { warnWhenNoEntities: false },
          allowGlobalContext: true,
          pool: { min: 0, max: 2 },
        } as any),
      );
      orms.set(service, orm);
    }
    return orm;
  };

  function spawnService(replica: Replica, name: ServiceName): ReplicaProcess {
    const script =
      name === 'gateway' ? path.join(root, 'gateway/src/main.ts') : path.join(root, `subgraphs/${name}/src/main.ts`);
    const own: Record<string, string> = {
      ...shared,
      ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [urlEnvOf(n), replica.urls[n]])),
      AIC_PUBLIC_URL: replica.urls.gateway,
      PORT: new URL(replica.urls[name]).port,
    };
    if (name === 'gateway') own.AIC_SUPERGRAPH_PATH = supergraphOf(replica);
    else own.DATABASE_URL = dbs[name].url;
    if (name === 'identity') Object.assign(own, identityOnly);
    const proc = spawn(process.execPath, ['--import', 'tsx', '--require', 'reflect-metadata', script], {
      cwd: root,
      env: { ...process.env, ...own },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a signal to the test runner's group does not reach it, and stop() can kill what it spawned.
      detached: true,
    });
    let out = '';
    const keep = (d: Buffer) => {
      out = (out + d.toString()).slice(-20_000);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
      proc.once('exit', (code, signal) => resolve(signal ?? code)),
    );
    const p: ReplicaProcess = { name, url: replica.urls[name], proc, output: () => out, exited };
    replica.processes[name] = p;
    return p;
  }

  /** The checked-in supergraph with this replica's subgraph URLs (as start.ts does for AIC_PORT_OFFSET). */
  function supergraphOf(replica: Replica): string {
    let sdl = fs.readFileSync(path.join(root, 'supergraph.graphql'), 'utf8');
    for (const name of SUBGRAPH_NAMES)
      sdl = sdl
        .split(`url: "http://localhost:${SERVICES[name].port}/graphql"`)
        .join(`url: "${replica.urls[name]}/graphql"`);
    const file = path.join(dataDir, `supergraph-${replica.label}.graphql`);
    fs.writeFileSync(file, sdl, { mode: 0o600 });
    return file;
  }

  /** Waits until the process answers ready; rejects as soon as it exits. */
  const ready = async (replica: Replica, name: ServiceName, timeoutMs: number) => {
    const p = replica.processes[name]!;
    const state = await waitFor(
      async () => {
        if (p.proc.exitCode !== null || p.proc.signalCode !== null) return 'exited';
        return (await fetch(`${p.url}/health/ready`)).ok && 'ready';
      },
      `${replica.label}/${name} to be ready`,
      { timeoutMs, intervalMs: 200 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- ${replica.label}/${name} output ---\n${p.output()}`);
    });
    if (state === 'exited') throw new Error(`${replica.label}/${name} exited while booting:\n${p.output()}`);
  };

  const bootFailures: ReplicaPlatform['bootFailures'] = [];
  /** Spawns a process and waits until it is ready; one more start when the first exits while booting. */
  const boot = async (replica: Replica, name: ServiceName, timeoutMs: number) => {
    const first = spawnService(replica, name);
    try {
      await ready(replica, name, timeoutMs);
      return;
    } catch (err) {
      if (first.proc.exitCode === null && first.proc.signalCode === null) throw err;
    }
    bootFailures.push({ replica: replica.label, name, output: first.output() });
    spawnService(replica, name);
    await ready(replica, name, timeoutMs);
  };

  const logs = () =>
    replicas
      .flatMap((r) =>
        Object.values(r.processes).map((p) => `--- ${r.label}/${p!.name} ---\n${p!.output().slice(-3000)}`),
      )
      .join('\n');

  return {
    replicas,
    databases: Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, { url: dbs[n].url, name: dbs[n].name }])) as Record<
      SubgraphName,
      { url: string; name: string }
    >,
    redisUrl,
    dataDir,
    owner,
    bootFailures,
    async start() {
      // Each replica boots in start.ts's order (identity first: the others read its keys at boot), all replicas at once.
      await Promise.all(
        replicas.map(async (r) => {
          await boot(r, 'identity', 90_000);
          await Promise.all(SUBGRAPH_NAMES.filter((n) => n !== 'identity').map((name) => boot(r, name, 120_000)));
        }),
      );
      await Promise.all(
        replicas.map(async (r) => {
          await boot(r, 'gateway', 60_000);
        }),
      );
    },
    async kill(replica, name, signal) {
      const p = replica.processes[name];
      if (!p) throw new Error(`${replica.label}/${name} is not running`);
      if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill(signal);
      return p.exited;
    },
    async restart(replica, name) {
      const p = replica.processes[name];
      if (p && p.proc.exitCode === null && p.proc.signalCode === null) return;
      spawnService(replica, name);
      await ready(replica, name, 90_000);
    },
    async paused(replica, names, work) {
      const procs = names.map((n) => replica.processes[n]!.proc);
      for (const proc of procs) proc.kill('SIGSTOP');
      try {
        return await work();
      } finally {
        for (const proc of procs) if (proc.exitCode === null && proc.signalCode !== 'SIGKILL') proc.kill('SIGCONT');
      }
    },
    replicaOfPid(service, pid) {
      return replicas.find((r) => r.processes[service]?.proc.pid === pid);
    },
    async sql<T>(service: SubgraphName, text: string, params: unknown[] = []) {
      const orm = await ormOf(service);
      return (await orm.em.getConnection().execute(text, params, 'all')) as T[];
    },
    logs,
    async stop() {
      const all = replicas.flatMap((r) => Object.values(r.processes)) as ReplicaProcess[];
      const alive = all.filter((p) => p.proc.exitCode === null && p.proc.signalCode === null);
      for (const p of alive) p.proc.kill('SIGCONT');
      for (const p of alive) p.proc.kill('SIGTERM');
      await Promise.race([Promise.all(alive.map((p) => p.exited)), new Promise((r) => setTimeout(r, 10_000).unref())]);
      for (const p of all) {
        try {
          if (p.proc.pid) process.kill(-p.proc.pid, 'SIGKILL');
        } catch {
          // the group is gone
        }
      }
      await Promise.all([...orms.values()].map(async (o) => (await o).close(true).catch(() => undefined)));
      await Promise.all(Object.values(dbs).map((db) => db.drop().catch(() => undefined)));
      await dropRedisKeys(redisUrl, [shared.AIC_IDENTITY_REDIS_PREFIX!, shared.AIC_RATE_LIMIT_PREFIX!]);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Removes the keys under this run's own prefixes (the queues named after services may be another run's too). */
async function dropRedisKeys(url: string, prefixes: string[]): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        if (keys.length) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } catch {
    // best effort
  } finally {
    redis.disconnect();
  }
}

/** Signs the owner in at a gateway. @returns an access token */
export async function signIn(graphqlUrl: string, owner: { email: string; password: string }): Promise<string> {
  const res = await gql(
    graphqlUrl,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    { e: owner.email, p: owner.password },
  );
  if (!res.data?.login) throw new Error(`owner could not sign in: ${JSON.stringify(res.errors)}`);
  return res.data.login.accessToken as string;
}

export { TEST_POSTGRES };
