import { IdSequenceEntity, RegistrySettingsEntity } from './registry/registry-settings.entity';
import { SchemaVersion } from './schema-version/schema-version.entity';
import { SubjectEntity } from './subject/subject.entity';

/** Every MikroORM entity of the schemas service. */
export const SCHEMAS_ENTITIES = [SubjectEntity, SchemaVersion, RegistrySettingsEntity, IdSequenceEntity];
