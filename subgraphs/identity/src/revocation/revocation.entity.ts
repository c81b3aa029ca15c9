import { randomUUID } from 'node:crypto';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/**
 * A revoked session or API key, kept until `until`: the latest expiry of any access token that
 * could carry its id. Every verifier loads the live rows at boot and hears new ones as they come.
 */
@Entity({ tableName: 'revocations' })
@Unique({ properties: ['kind', 'subjectId'] })
@Index({ properties: ['until'] })
export class RevocationRecord {
  [OptionalProps]?: 'id' | 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  /** `session` or `api_key`. */
  @Property({ type: 'string', length: 20 })
  kind!: string;

  /** The session id (`sid` claim) or API key id (`akid` claim). */
  @Property({ type: 'string', length: 100 })
  subjectId!: string;

  @Property({ type: 'datetime' })
  until!: Date;

  /** `logout`, `revoked`, `reuse-detected`, `membership-removed`, `password-changed`, `apikey-revoked`. */
  @Property({ type: 'string', length: 50 })
  reason!: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();
}
