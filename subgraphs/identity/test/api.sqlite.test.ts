import { describeIdentityApi } from './support/identity-api.suite';

describeIdentityApi('SQLite (libsql, in memory)', async () => ({ url: ':memory:', drop: async () => {} }));
