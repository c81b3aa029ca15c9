import { spawnSync } from 'node:child_process';

/** Host and port of a server URL (`defaultPort` when it names none). */
export function serverAddress(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(u.port || defaultPort) };
}

/**
 * Whether something accepts TCP connections on the URL's host and port. Synchronous (a child process
 * tries to connect) so a test file can decide at collection time whether to skip.
 */
export function answersSync(url: string, defaultPort: number): boolean {
  const { host, port } = serverAddress(url, defaultPort);
  return (
    spawnSync(
      process.execPath,
      [
        '-e',
        `require('net').connect(${port},${JSON.stringify(host)}).on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))`,
      ],
      { timeout: 5000 },
    ).status === 0
  );
}
