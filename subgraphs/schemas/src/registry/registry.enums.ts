import { registerEnumType } from 'type-graphql';
import type { CompatibilityMode, SchemaType } from '../compatibility/schema-types';

export const SchemaTypeEnum: { [K in SchemaType]: K } = { AVRO: 'AVRO', JSON: 'JSON', PROTOBUF: 'PROTOBUF' };
registerEnumType(SchemaTypeEnum, {
  name: 'SchemaType',
  description: 'Schema language',
  valuesConfig: {
    AVRO: { description: 'Apache Avro' },
    JSON: { description: 'JSON Schema (draft-04 to 2020-12)' },
    PROTOBUF: { description: 'Protocol Buffers (proto2, proto3)' },
  },
});

export const CompatibilityModeEnum: { [K in CompatibilityMode]: K } = {
  BACKWARD: 'BACKWARD',
  BACKWARD_TRANSITIVE: 'BACKWARD_TRANSITIVE',
  FORWARD: 'FORWARD',
  FORWARD_TRANSITIVE: 'FORWARD_TRANSITIVE',
  FULL: 'FULL',
  FULL_TRANSITIVE: 'FULL_TRANSITIVE',
  NONE: 'NONE',
};
registerEnumType(CompatibilityModeEnum, {
  name: 'CompatibilityMode',
  description: 'Which changes a subject accepts (Confluent semantics)',
  valuesConfig: {
    BACKWARD: { description: 'The new schema reads data written with the latest version' },
    BACKWARD_TRANSITIVE: { description: 'The new schema reads data written with every earlier version' },
    FORWARD: { description: 'The latest version reads data written with the new schema' },
    FORWARD_TRANSITIVE: { description: 'Every earlier version reads data written with the new schema' },
    FULL: { description: 'BACKWARD and FORWARD against the latest version' },
    FULL_TRANSITIVE: { description: 'BACKWARD and FORWARD against every earlier version' },
    NONE: { description: 'No check' },
  },
});
