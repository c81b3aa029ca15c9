import { AvroFormat } from './avro.format';
import { JsonSchemaFormat } from './json-schema.format';
import { ProtobufFormat } from './protobuf.format';
import type { SchemaFormat, SchemaType } from './schema-types';

/** One instance of each schema language, keyed by type; create one per service. */
export function createSchemaFormats(): Record<SchemaType, SchemaFormat> {
  return {
    AVRO: new AvroFormat() as unknown as SchemaFormat,
    JSON: new JsonSchemaFormat() as unknown as SchemaFormat,
    PROTOBUF: new ProtobufFormat() as unknown as SchemaFormat,
  };
}
