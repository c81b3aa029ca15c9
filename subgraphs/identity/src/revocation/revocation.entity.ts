import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, Index, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { PlatformEntity } from '../../../../lib/src/kit/base.entity';

/**
 * A revoked session or API key, kept until `until`: the latest expiry of any access token that
 * could carry its id. Every verifier loads the live rows at boot and hears new ones as they come.
 */
@Entity({ tableName: 'revocations' })
@Unique({ properties: ['kind', 'subjectId'] })
@Index({ properties: ['until'] })
export class RevocationRecord extends PlatformEntity {
  [OptionalProps]?: 'issuedBefore';

  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  /** `session`, `api_key` or `member`. */
  @Property({ type: 'string', length: 20 })
  kind!: string;

  /** The session id (`sid` claim), API key id (`akid` claim), or `<organization>:<user>` of a member. */
  @Property({ type: 'string', length: 100 })
  subjectId!: string;

  /** Members only: their tokens issued before this instant are refused (a role was taken away). */
  @Property({ type: 'datetime', nullable: true })
  issuedBefore?: Date | null = null;

  @Property({ type: 'datetime' })
  until!: Date;

  /** `logout`, `revoked`, `reuse-detected`, `membership-removed`, `password-changed`, `apikey-revoked`, `role-revoked`, `role-deleted`. */
  @Property({ type: 'string', length: 50 })
  reason!: string;
}
