import { randomUUID } from 'node:crypto';
import type { Opt } from '@mikro-orm/core';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { PlatformEntity } from '../../../../lib/src/kit/base.entity';

/**
 * A person or a machine identity; not owned by one organization (memberships place it in several).
 * Users without a password hash (machine users, users known only through an external provider)
 * cannot sign in with a password.
 */
@Entity({ tableName: 'users' })
export class User extends PlatformEntity {
  [OptionalProps]?:
    'disabled' | 'failedLoginCount' | 'passwordHash' | 'lockedUntil' | 'lastFailedLoginAt' | 'lastLoginAt';

  @PrimaryKey({ type: 'uuid' })
  override id: Opt<string> = randomUUID();

  /** Stored lower-cased so lookups are case-insensitive on every driver. */
  @Property({ type: 'string', length: 320, unique: true })
  email!: string;

  @Property({ type: 'string', length: 200 })
  name!: string;

  @Property({ type: 'string', length: 255, nullable: true, hidden: true, lazy: true })
  passwordHash?: string | null = null;

  @Property({ type: 'boolean' })
  disabled: boolean = false;

  @Property({ type: 'integer', hidden: true })
  failedLoginCount: number = 0;

  @Property({ type: 'datetime', nullable: true, hidden: true })
  lastFailedLoginAt?: Date | null = null;

  @Property({ type: 'datetime', nullable: true, hidden: true })
  lockedUntil?: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastLoginAt?: Date | null = null;
}
