import { Field, ObjectType } from 'type-graphql';
import { ConfigEntryType, toConfigEntryType } from './config-version.entity';
import type { ConfigChange as StoredConfigChange } from './config.differ';

@ObjectType({ description: 'A key that differs between two config versions' })
export class ConfigChange {
  @Field(() => String) key!: string;
  @Field(() => String, { description: 'ADDED, REMOVED or CHANGED' }) change!: string;
  @Field(() => ConfigEntryType, { nullable: true }) before!: ConfigEntryType | null;
  @Field(() => ConfigEntryType, { nullable: true }) after!: ConfigEntryType | null;
}

/** A difference between stored entries as its GraphQL shape (secret entries carry their reference only). */
export function toConfigChange(c: StoredConfigChange): ConfigChange {
  return {
    key: c.key,
    change: c.change,
    before: c.before && toConfigEntryType(c.before),
    after: c.after && toConfigEntryType(c.after),
  };
}
