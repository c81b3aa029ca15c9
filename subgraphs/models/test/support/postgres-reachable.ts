/** Whether the test PostgreSQL at 127.0.0.1:5432 answers (lib/src/testing/postgres). */
export { POSTGRES_REACHABLE as PG_REACHABLE } from '../../../../lib/src/testing/postgres';
