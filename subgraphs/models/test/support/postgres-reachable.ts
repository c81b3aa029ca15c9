/** Whether the test PostgreSQL (AIC_TEST_POSTGRES_URL) answers (lib/src/testing/postgres). */
export { POSTGRES_REACHABLE as PG_REACHABLE } from '../../../../lib/src/testing/postgres';
