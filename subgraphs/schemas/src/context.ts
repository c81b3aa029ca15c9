import type { ServiceContext } from '../../../lib/src/index';
import type { SchemaRegistryService } from './registry/schema-registry.service';

export interface SchemasContext extends ServiceContext {
  registry: SchemaRegistryService;
}
