import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bootSubgraph } from '../src/kit/boot';
import { testBaseConfig } from '../src/testing/harness';
import { Note, createNotesServer } from './fixtures/notes-subgraph';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-boot-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const FIXTURE = path.join(__dirname, 'fixtures', 'boot-subgraph.ts');
const TSX = path.join(path.dirname(createRequire(__filename).resolve('tsx/package.json')), 'dist', 'loader.mjs');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the fixture main in a child process; `onStdout` may act on its output (e.g. send a signal). */
function runMain(mode: string, onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const dir = fs.mkdtempSync(path.join(dataDir, `${mode}-`));
    const child = spawn(process.execPath, ['--import', TSX, FIXTURE], {
      env: { ...process.env, BOOT_MODE: mode, BOOT_DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('the boot sequence (lib/src/kit/boot.ts)', () => {
  it('reads the configuration, builds (ORM and schema on a SQLite file), listens, then resumes, then stops', async () => {
    const steps: string[] = [];
    const dir = fs.mkdtempSync(path.join(dataDir, 'order-'));
    const running = await bootSubgraph({
      name: 'notes',
      loadConfig: () => {
        steps.push('config');
        return { ...testBaseConfig('notes', { dataDir: dir, databaseUrl: undefined }), drainDelaySeconds: 0 };
      },
      build: async (config) => {
        const built = await createNotesServer(config);
        steps.push(`build:sqlite=${fs.existsSync(path.join(dir, 'notes.sqlite'))}`);
        const listen = built.server.listen.bind(built.server);
        built.server.listen = async (port, host) => {
          steps.push('listen');
          return listen(port, host);
        };
        return {
          ...built,
          resume: async () => {
            // Resumed work may call the service itself: it is ready, and its database is migrated.
            const url = `http://127.0.0.1:${(built.server.httpServer.address() as { port: number }).port}`;
            steps.push(`resume:ready=${(await fetch(`${url}/health/ready`)).status}`);
            const em = built.orm.em.fork();
            em.persist(em.create(Note, { organizationId: 'org-a', text: 'left over', authorId: 'user-1' }));
            await em.flush();
            return 1;
          },
        };
      },
    });
    try {
      expect(steps).toEqual(['config', 'build:sqlite=true', 'listen', 'resume:ready=200']);
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(running.config.port).toBe(0);
      expect((await fetch(`${running.url}/health/live`)).status).toBe(200);
    } finally {
      await running.stop();
    }
    await expect(fetch(`${running.url}/health/live`)).rejects.toThrow();
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('rejects without listening when a step before listen fails', async () => {
    const failing = bootSubgraph({
      name: 'notes',
      loadConfig: () => ({ ...testBaseConfig('notes', { dataDir }), drainDelaySeconds: 0 }),
      build: async () => {
        throw new Error('no database');
      },
    });
    await expect(failing).rejects.toThrow('no database');
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('a main whose build fails logs the error (secrets scrubbed) and exits with status 1', async () => {
    const exit = await runMain('build-fails');
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('notes failed to start: Error: database refused the connection');
    expect(exit.stderr).not.toContain('hunter2');
  });

  it('a main whose configuration is invalid says why, without a stack, and exits with status 1', async () => {
    const exit = await runMain('config-fails');
    expect(exit.code).toBe(1);
    expect(exit.stderr).toBe('notes failed to start: PORT must be a number\n');
  });

  it('a main whose resume fails after listening exits with status 1', async () => {
    const exit = await runMain('resume-fails');
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('notes failed to start: Error: could not re-queue job 7');
    expect(exit.stdout).toContain('notes ready');
  });

  it('a main that booted stops on SIGTERM and exits with status 0', async () => {
    let sent = false;
    const exit = await runMain('ok', (out, child) => {
      if (!sent && out.includes('LISTENING yes') && out.includes('resumed unfinished work')) {
        sent = true;
        child.kill('SIGTERM');
      }
    });
    expect(sent).toBe(true);
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('shutting down');
  });
});
