// The test Redis: tests that need one share these, and each skips with one line naming the server and
// what is skipped when nothing answers (README "Tests").
import { answersSync, serverAddress } from './reachable';

/** The variable naming the test Redis. */
export const TEST_REDIS_ENV = 'AIC_TEST_REDIS_URL';
/** The test Redis (database 0 unless the URL names one). */
export const TEST_REDIS = (process.env[TEST_REDIS_ENV] || 'redis://127.0.0.1:6379').replace(/\/+$/, '');

/** Host and port of the test Redis (for clients configured without a URL). */
export const TEST_REDIS_ADDRESS = serverAddress(TEST_REDIS, 6379);

/** Whether the test Redis answers (checked once, at import). */
export const REDIS_REACHABLE = answersSync(TEST_REDIS, 6379);

/** The test Redis with database `db` selected. */
export function testRedisUrl(db: number): string {
  const u = new URL(TEST_REDIS);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * Whether tests needing Redis must skip; when they must, prints one line saying why.
 * @param what the tests skipped (`the leader-lease tests`), for that line
 */
export function skipWithoutRedis(what: string): boolean {
  if (REDIS_REACHABLE) return false;
  const { host, port } = TEST_REDIS_ADDRESS;
  console.warn(`Redis at ${host}:${port} (${TEST_REDIS_ENV}) does not answer: ${what} skipped`);
  return true;
}
