// `npm start`'s supervisor with real child processes: one that exits is started again and announced,
// the others keep running, one that keeps crashing is given up on, stop ends everything.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../lib/src/testing/wait-for';
import { type Supervisor, createSupervisor } from './supervisor';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-supervisor-'));
let supervisor: Supervisor | undefined;

afterEach(async () => {
  await supervisor?.stop('SIGKILL');
  supervisor = undefined;
});

/** A node process that runs until it is killed. */
const longRunning = (): ChildProcess => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);

/** A node process that exits with code 3 on its first `failures` runs (counted in a file), then runs on. */
function crashingFirst(failures: number, name: string) {
  const counter = path.join(dir, name);
  return (): ChildProcess =>
    spawn(process.execPath, [
      '-e',
      `const fs = require('fs'); const f = ${JSON.stringify(counter)};
       const n = fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) : 0;
       fs.writeFileSync(f, String(n + 1));
       if (n < ${failures}) process.exit(3);
       setInterval(() => {}, 1000);`,
    ]);
}

const alive = (p: ChildProcess | undefined) => !!p && p.exitCode === null && p.signalCode === null;

describe('the npm start supervisor', () => {
  it('restarts a process that exits, says so, and leaves the others running', async () => {
    const lines: string[] = [];
    supervisor = createSupervisor({ log: (l) => lines.push(l), initialDelayMs: 50, maxDelayMs: 200 });
    const steady = supervisor.add('identity', longRunning);
    const first = supervisor.add('inference', crashingFirst(2, 'inference'));
    // Its third run (the counter file says so) is the one that stays up.
    const restarted = await waitFor(() => {
      const p = supervisor!.current('inference');
      const runs = fs.existsSync(path.join(dir, 'inference'))
        ? fs.readFileSync(path.join(dir, 'inference'), 'utf8')
        : '';
      return runs === '3' && lines.filter((l) => l.startsWith('inference restarted')).length === 2 && alive(p) && p;
    }, 'inference to run again');
    expect(restarted).not.toBe(first);
    expect(lines.filter((l) => l.startsWith('inference exited'))).toEqual([
      'inference exited (code 3); restarting it in 50 ms (exit 1 of at most 5 within 60 s)',
      'inference exited (code 3); restarting it in 100 ms (exit 2 of at most 5 within 60 s)',
    ]);
    expect(lines).toContain(`inference restarted (pid ${restarted.pid})`);
    expect(supervisor.current('identity')).toBe(steady);
    expect(alive(steady)).toBe(true);
  });

  it('doubles the pause after each exit, up to its cap', async () => {
    const lines: string[] = [];
    supervisor = createSupervisor({ log: (l) => lines.push(l), initialDelayMs: 20, maxDelayMs: 60, maxCrashes: 10 });
    supervisor.add('models', crashingFirst(4, 'models'));
    await waitFor(() => lines.filter((l) => l.startsWith('models restarted')).length === 4, 'four restarts');
    expect(lines.filter((l) => l.startsWith('models exited')).map((l) => /in ([0-9]+) ms/.exec(l)?.[1])).toEqual([
      '20',
      '40',
      '60',
      '60',
    ]);
  });

  it('gives up on a process that keeps crashing, with a clear message, and keeps the rest', async () => {
    const lines: string[] = [];
    const givenUp: string[] = [];
    supervisor = createSupervisor({
      log: (l) => lines.push(l),
      initialDelayMs: 10,
      maxDelayMs: 20,
      maxCrashes: 3,
      onGiveUp: (name) => givenUp.push(name),
    });
    const steady = supervisor.add('catalog', longRunning);
    supervisor.add('synthetic', crashingFirst(1000, 'synthetic'));
    await waitFor(() => givenUp.length > 0, 'the supervisor to give up');
    expect(givenUp).toEqual(['synthetic']);
    expect(lines.at(-1)).toBe(
      "synthetic exited (code 3) 3 times within 60 s: not restarting it. The other services keep running; fix the cause (see synthetic's lines above) and start again.",
    );
    expect(supervisor.current('synthetic')).toBeUndefined();
    expect(Number(fs.readFileSync(path.join(dir, 'synthetic'), 'utf8'))).toBe(3);
    expect(alive(steady)).toBe(true);
  });

  it('stops every process on stop and restarts none', async () => {
    const lines: string[] = [];
    supervisor = createSupervisor({ log: (l) => lines.push(l), initialDelayMs: 10 });
    const a = supervisor.add('apps', longRunning);
    const b = supervisor.add('schemas', longRunning);
    await supervisor.stop('SIGTERM');
    expect([a.signalCode, b.signalCode]).toEqual(['SIGTERM', 'SIGTERM']);
    expect(lines).toEqual([]);
    expect(supervisor.current('apps')).toBeUndefined();
  });
});
