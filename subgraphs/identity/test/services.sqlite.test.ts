import { describeIdentityServices } from './support/identity-services.suite';
import { openSqlite } from './support/test-database';

describeIdentityServices('SQLite (libsql, in memory)', openSqlite);
