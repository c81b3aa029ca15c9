import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * An Ed25519 key pair that signs access tokens. Exactly one is `active`; a `retired` key stays in
 * the JWKS until every token it signed has expired (`retiredAt` + token lifetime), then it is pruned.
 */
@Entity({ tableName: 'signing_keys' })
export class SigningKey {
  [OptionalProps]?: 'id' | 'createdAt' | 'retiredAt' | 'status' | 'alg';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'string', length: 64, unique: true })
  kid!: string;

  @Property({ type: 'string', length: 16 })
  alg: string = 'EdDSA';

  @Property({ type: 'string', length: 16 })
  status: 'active' | 'retired' = 'active';

  @Property({ type: 'json' })
  publicJwk!: Record<string, string>;

  @Property({ type: 'json', hidden: true })
  privateJwk!: Record<string, string>;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  retiredAt?: Date | null = null;
}
