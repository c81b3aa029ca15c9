import { describeIdentityServices } from './support/identity-services.suite';
import { openPostgres, postgresListening } from './support/test-database';

const available = postgresListening();
if (!available)
  console.warn('PostgreSQL at 127.0.0.1:5432 does not answer: the PostgreSQL run of the identity suite is skipped');
describeIdentityServices('PostgreSQL (a database per run)', openPostgres, available);
