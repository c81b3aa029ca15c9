import { spawnSync } from 'node:child_process';

/** Whether the test PostgreSQL at 127.0.0.1:5432 answers (checked once, synchronously, so test lists can depend on it). */
export const PG_REACHABLE =
  spawnSync(
    process.execPath,
    [
      '-e',
      "require('net').connect(5432,'127.0.0.1').on('connect',()=>process.exit(0)).on('error',()=>process.exit(1))",
    ],
    { timeout: 5000 },
  ).status === 0;
