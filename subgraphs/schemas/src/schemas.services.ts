import { createSchemaFormats } from './compatibility/schema-formats';
import type { Config } from './config';
import { RegistryRepository } from './registry/registry.repository';
import { SchemaRegistryService } from './registry/schema-registry.service';
import { SchemaParser } from './registry/schema.parser';
import { SubjectRepository } from './subject/subject.repository';

/** The registry's services, built once per process and shared by every request (`ctx.services`, the REST routes). */
export interface SchemasServices {
  registry: SchemaRegistryService;
}

/** The process-wide dependencies the services are built from (server.ts passes the config). */
export interface SchemasServiceDeps {
  settings: Pick<Config, 'defaultCompatibility' | 'maxSchemaBytes' | 'parsedCacheSize'>;
}

/** The composition root: every repository and service of the registry, each built once, wired by constructor. */
export function createSchemasServices({ settings }: SchemasServiceDeps): SchemasServices {
  const subjects = new SubjectRepository();
  const parser = new SchemaParser(subjects, createSchemaFormats(), settings.parsedCacheSize);
  return {
    registry: new SchemaRegistryService(subjects, new RegistryRepository(), parser, {
      defaultCompatibility: settings.defaultCompatibility,
      maxSchemaBytes: settings.maxSchemaBytes,
    }),
  };
}
