import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';

export interface ServiceProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** The last lines the process wrote to stderr (and stdout), for error reports. */
  outputTail(): string;
  /** Resolves with the first stdout line that parses as JSON. */
  firstJsonLine(timeoutMs: number): Promise<Record<string, unknown>>;
  /** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a command as a benchmark service process (its own process group is not created: the
 * runner ends it by pid).
 * @returns a handle to read its output and stop it
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): ServiceProcess {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const remember = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (tail.length > 40) tail.splice(0, tail.length - 40);
  };
  child.stderr!.on('data', remember);
  let buffered = '';
  const waiters: ((line: Record<string, unknown>) => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    remember(chunk);
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (!line.startsWith('{')) continue;
      try {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        waiters.splice(0).forEach((w) => w(parsed));
      } catch {
        // a log line that merely starts with a brace
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    pid: child.pid ?? -1,
    child,
    outputTail: () => tail.join('\n'),
    firstJsonLine: (timeoutMs) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name} printed no ready line within ${timeoutMs} ms:\n${tail.join('\n')}`)),
          timeoutMs,
        );
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited with code ${code}:\n${tail.join('\n')}`));
        });
        waiters.push((line) => {
          clearTimeout(timer);
          resolve(line);
        });
      }),
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** @returns a TCP port on 127.0.0.1 that was free a moment ago (for services that need a port up front) */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const CLOCK_TICKS_PER_SECOND = 100;

function readStat(pid: number): { ppid: number; cpuTicks: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name: state ppid ... utime(14) stime(15).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * CPU time and resident memory of a process and all its descendants (cluster workers, forks), from
 * /proc. Returns zeros where /proc is unavailable.
 * @returns CPU seconds used so far and current RSS in bytes
 */
export function processTreeUsage(rootPid: number): { cpuSeconds: number; rssBytes: number; processes: number } {
  if (!fs.existsSync('/proc')) return { cpuSeconds: 0, rssBytes: 0, processes: 0 };
  const parentOf = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = readStat(Number(entry));
    if (!s) continue;
    parentOf.set(Number(entry), s.ppid);
    ticks.set(Number(entry), s.cpuTicks);
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p && hops < 20; p = parentOf.get(p), hops++)
      if (p === rootPid) return true;
    return false;
  };
  let cpuTicks = 0;
  let rss = 0;
  let processes = 0;
  for (const [pid, t] of ticks) {
    if (!inTree(pid)) continue;
    cpuTicks += t;
    rss += rssBytes(pid);
    processes++;
  }
  return { cpuSeconds: cpuTicks / CLOCK_TICKS_PER_SECOND, rssBytes: rss, processes };
}

/**
 * Waits until a process tree stops using CPU: a gateway keeps working on requests whose clients
 * are gone, and that tail must not land in the next gateway's measurement.
 * @returns true when idle (under 10% of a CPU over half a second), false at the deadline
 */
export async function waitForIdle(rootPid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let before = processTreeUsage(rootPid).cpuSeconds;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const now = processTreeUsage(rootPid).cpuSeconds;
    if (now - before < 0.05) return true;
    before = now;
  }
  return false;
}
