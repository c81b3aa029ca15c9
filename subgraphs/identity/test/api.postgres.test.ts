import { testPostgresDatabase, testPostgresLabel } from '../../../lib/src/testing/postgres';
import { describeIdentityApi } from './support/identity-api.suite';
import { postgresListening } from './support/test-database';

const available = postgresListening();
if (!available)
  console.warn(`${testPostgresLabel()} does not answer: the PostgreSQL run of the identity API suite is skipped`);
describeIdentityApi('PostgreSQL (a database per run)', async () => testPostgresDatabase('aic_identity_api'), available);
