import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { PlatformEntity } from '../../../../lib/src/kit/base.entity';

/** `{ jwe }`, a sealed private JWK (a compact JWE), or a plain JWK's string members (kept before sealing). */
export type StoredPrivateKey = Record<string, string>;

/**
 * An Ed25519 key pair that signs access tokens. Of the `active` keys, the latest already activated
 * signs (a later one may be scheduled and already published); a `retired` key stays in
 * the JWKS until every token it signed has expired (`retiredAt` + token lifetime), then it is pruned.
 */
@Entity({ tableName: 'signing_keys' })
export class SigningKey extends PlatformEntity {
  [OptionalProps]?: 'activatesAt' | 'retiredAt' | 'status' | 'alg';

  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  @Property({ type: 'string', length: 64, unique: true })
  kid!: string;

  @Property({ type: 'string', length: 16 })
  alg: string = 'EdDSA';

  @Property({ type: 'string', length: 16 })
  status: 'active' | 'retired' = 'active';

  @Property({ type: 'json' })
  publicJwk!: Record<string, string>;

  /**
   * The private key at rest: `{ jwe }`, the private JWK sealed with the key-encryption key (see
   * SigningKeyRing.sealAtRest); the plain JWK only where no key-encryption key is set (outside production).
   */
  @Property({ type: 'json', hidden: true })
  privateJwk!: StoredPrivateKey;

  /** When it starts signing; a scheduled key is published before then. Null: from `createdAt`. */
  @Property({ type: 'datetime', nullable: true })
  activatesAt?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  retiredAt?: Date | null = null;
}
