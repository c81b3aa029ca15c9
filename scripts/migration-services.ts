// The services that own a SQL database: their entities and migrations (scripts/migration-create.ts, test/migrations.test.ts).
import type { EntityClass } from '@mikro-orm/core';
import type { ServiceMigrations } from '../lib/src/index';
import { APPS_ENTITIES } from '../subgraphs/apps/src/apps.entities';
import { MIGRATIONS as APPS_MIGRATIONS } from '../subgraphs/apps/src/migrations/index';
import { CATALOG_ENTITIES } from '../subgraphs/catalog/src/entities';
import { MIGRATIONS as CATALOG_MIGRATIONS } from '../subgraphs/catalog/src/migrations/index';
import { IDENTITY_ENTITIES } from '../subgraphs/identity/src/identity.entities';
import { MIGRATIONS as IDENTITY_MIGRATIONS } from '../subgraphs/identity/src/migrations/index';
import { INFERENCE_ENTITIES } from '../subgraphs/inference/src/inference.entities';
import { MIGRATIONS as INFERENCE_MIGRATIONS } from '../subgraphs/inference/src/migrations/index';
import { MIGRATIONS as MODELS_MIGRATIONS } from '../subgraphs/models/src/migrations/index';
import { MODELS_ENTITIES } from '../subgraphs/models/src/models.entities';
import { SCHEMAS_ENTITIES } from '../subgraphs/schemas/src/entities';
import { MIGRATIONS as SCHEMAS_MIGRATIONS } from '../subgraphs/schemas/src/migrations/index';
import { MIGRATIONS as SYNTHETIC_MIGRATIONS } from '../subgraphs/synthetic/src/migrations/index';
import { SYNTHETIC_ENTITIES } from '../subgraphs/synthetic/src/server';

export interface MigratedService {
  entities: EntityClass<object>[];
  migrations: ServiceMigrations;
}

export const MIGRATED_SERVICES: Record<string, MigratedService> = {
  apps: { entities: APPS_ENTITIES, migrations: APPS_MIGRATIONS },
  catalog: { entities: CATALOG_ENTITIES, migrations: CATALOG_MIGRATIONS },
  identity: { entities: IDENTITY_ENTITIES, migrations: IDENTITY_MIGRATIONS },
  inference: { entities: INFERENCE_ENTITIES, migrations: INFERENCE_MIGRATIONS },
  models: { entities: MODELS_ENTITIES, migrations: MODELS_MIGRATIONS },
  schemas: { entities: SCHEMAS_ENTITIES, migrations: SCHEMAS_MIGRATIONS },
  synthetic: { entities: SYNTHETIC_ENTITIES, migrations: SYNTHETIC_MIGRATIONS },
};
