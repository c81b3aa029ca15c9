// vitest global setup (vitest.config.mts): when nothing answers on the configured test PostgreSQL
// (AIC_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432), start an embedded one for the
// run and point the variable at it; the test workers, started after this, inherit it. Stopped and removed
// at teardown. AIC_TEST_EMBEDDED_POSTGRES=off turns the fallback off.
import { ensureTestPostgres, type TestPostgresServer } from './embedded-postgres';
import { DEFAULT_TEST_POSTGRES, TEST_POSTGRES_ENV, testPostgresLabel } from './postgres';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const original = process.env[TEST_POSTGRES_ENV];
  const configured = (original || DEFAULT_TEST_POSTGRES).replace(/\/+$/, '');
  if (process.env.AIC_TEST_EMBEDDED_POSTGRES === 'off') return undefined;
  let server: TestPostgresServer;
  try {
    server = await ensureTestPostgres(configured);
  } catch (e) {
    // Most PostgreSQL tests need a server (only some skip without one): stop here with the reason.
    throw new Error(
      `${testPostgresLabel(configured)} does not answer and the embedded PostgreSQL did not start; ` +
        `point ${TEST_POSTGRES_ENV} at a server. ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  if (!server.embedded) return undefined;
  process.env[TEST_POSTGRES_ENV] = server.url;
  console.log(
    `${testPostgresLabel(configured)} does not answer: the suite runs on an embedded PostgreSQL (${server.dataDir}), removed after`,
  );
  return async () => {
    await server.stop();
    if (original === undefined) delete process.env[TEST_POSTGRES_ENV];
    else process.env[TEST_POSTGRES_ENV] = original;
  };
}
