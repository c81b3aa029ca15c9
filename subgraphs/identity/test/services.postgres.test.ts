import { describeIdentityServices } from './support/identity-services.suite';
import { testPostgresLabel } from '../../../lib/src/testing/postgres';
import { openPostgres, postgresListening } from './support/test-database';

const available = postgresListening();
if (!available)
  console.warn(`${testPostgresLabel()} does not answer: the PostgreSQL run of the identity suite is skipped`);
describeIdentityServices('PostgreSQL (a database per run)', openPostgres, available);
