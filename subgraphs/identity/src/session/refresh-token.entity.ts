import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { PlatformEntity } from '../../../../lib/src/kit/base.entity';
import { Session } from './session.entity';

/**
 * One refresh token of a session's family, stored as the sha256 of the opaque value. `rotatedAt`
 * is set when it is exchanged; presenting it again afterwards is reuse and revokes the family.
 */
@Entity({ tableName: 'refresh_tokens' })
export class RefreshToken extends PlatformEntity {
  [OptionalProps]?: 'rotatedAt';

  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  @ManyToOne({ entity: () => Session, deleteRule: 'cascade' })
  session!: Session;

  @Property({ type: 'string', length: 64, unique: true, hidden: true })
  tokenHash!: string;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  rotatedAt?: Date | null = null;
}
