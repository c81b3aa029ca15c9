// The process supervisor of `npm start` (scripts/start.ts): a service that exits is started again
// after a growing pause, and one that keeps crashing is given up on; the others run on throughout.
import type { ChildProcess } from 'node:child_process';

export interface SupervisorOptions {
  /** Writes one line (start.ts: stderr with the `[aic]` prefix). */
  log: (line: string) => void;
  /** Pause before the first restart; each crash within `windowMs` doubles it. @default 1000 */
  initialDelayMs?: number;
  /** The longest pause between restarts. @default 30_000 */
  maxDelayMs?: number;
  /** A service that exits this many times within `windowMs` is not started again. @default 5 */
  maxCrashes?: number;
  /** @default 60_000 */
  windowMs?: number;
  /** Called once a service is given up on (start.ts keeps the rest running). */
  onGiveUp?: (name: string) => void;
}

export interface Supervisor {
  /** Starts `start()` under supervision: it runs again whenever its process exits, until `stop`. */
  add(name: string, start: () => ChildProcess): ChildProcess;
  /** The current process of a service (undefined once given up on). */
  current(name: string): ChildProcess | undefined;
  /** Ends supervision, sends every running process `signal` and waits until all have exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

interface Supervised {
  name: string;
  start: () => ChildProcess;
  proc?: ChildProcess;
  /** When it exited recently (within the window), oldest first. */
  crashes: number[];
  timer?: NodeJS.Timeout;
}

/** @returns a supervisor that restarts exited processes with exponential backoff, up to `maxCrashes` per `windowMs` */
export function createSupervisor(opts: SupervisorOptions): Supervisor {
  const initialDelayMs = opts.initialDelayMs ?? 1000;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const maxCrashes = opts.maxCrashes ?? 5;
  const windowMs = opts.windowMs ?? 60_000;
  const services = new Map<string, Supervised>();
  let stopping = false;

  const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`);

  function run(s: Supervised): ChildProcess {
    const proc = s.start();
    s.proc = proc;
    proc.once('exit', (code, signal) => onExit(s, proc, code, signal));
    return proc;
  }

  function onExit(s: Supervised, proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null) {
    if (s.proc !== proc) return;
    s.proc = undefined;
    if (stopping) return;
    const now = Date.now();
    s.crashes = [...s.crashes.filter((t) => now - t < windowMs), now];
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (s.crashes.length >= maxCrashes) {
      opts.log(
        `${s.name} exited (${how}) ${s.crashes.length} times within ${seconds(windowMs)}: not restarting it. ` +
          `The other services keep running; fix the cause (see ${s.name}'s lines above) and start again.`,
      );
      opts.onGiveUp?.(s.name);
      return;
    }
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** (s.crashes.length - 1));
    opts.log(
      `${s.name} exited (${how}); restarting it in ${seconds(delay)} ` +
        `(exit ${s.crashes.length} of at most ${maxCrashes} within ${seconds(windowMs)})`,
    );
    s.timer = setTimeout(() => {
      s.timer = undefined;
      if (stopping) return;
      const next = run(s);
      opts.log(`${s.name} restarted (pid ${next.pid})`);
    }, delay);
  }

  return {
    add(name, start) {
      if (services.has(name)) throw new Error(`${name} is supervised already`);
      const s: Supervised = { name, start, crashes: [] };
      services.set(name, s);
      return run(s);
    },
    current: (name) => services.get(name)?.proc,
    async stop(signal = 'SIGTERM') {
      stopping = true;
      const running = [...services.values()].reverse().flatMap((s) => {
        if (s.timer) clearTimeout(s.timer);
        const p = s.proc;
        return p && p.exitCode === null && p.signalCode === null ? [p] : [];
      });
      const exited = running.map((p) => new Promise((resolve) => p.once('exit', resolve)));
      for (const p of running) p.kill(signal);
      await Promise.all(exited);
    },
  };
}
