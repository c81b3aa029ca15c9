import type { EntityManager } from '@mikro-orm/core';
import type { LockoutState } from '../auth/lockout.policy';
import { ExternalIdentity } from './external-identity.entity';
import { User } from './user.entity';

/** The user aggregate's queries: users and the external identities linked to them. Stateless: the caller's `em` is the unit of work. */
export class UserRepository {
  /** The user with this id; MikroORM's NotFoundError (NOT_FOUND) when there is none. */
  getById(em: EntityManager, id: string): Promise<User> {
    return em.findOneOrFail(User, { id });
  }

  /** The user with this id, or null. */
  findById(em: EntityManager, id: string): Promise<User | null> {
    return em.findOne(User, { id });
  }

  /** By normalized (lower-case) email. */
  findByEmail(em: EntityManager, email: string): Promise<User | null> {
    return em.findOne(User, { email });
  }

  /** By normalized email, with the lazily loaded password hash. */
  findByEmailWithPassword(em: EntityManager, email: string): Promise<User | null> {
    return em.findOne(User, { email }, { populate: ['passwordHash'] });
  }

  /** By id, with the lazily loaded password hash. */
  findByIdWithPassword(em: EntityManager, id: string): Promise<User | null> {
    return em.findOne(User, { id }, { populate: ['passwordHash'] });
  }

  async emailTaken(em: EntityManager, email: string): Promise<boolean> {
    return (await em.count(User, { email })) > 0;
  }

  /**
   * Writes the lockout state of a sign-in attempt only if the failure count is still `expected`
   * (compare-and-set): of parallel attempts on one account exactly one claims each count.
   * @returns whether this attempt claimed it
   */
  async claimLoginAttempt(
    em: EntityManager,
    id: string,
    expected: number,
    next: Required<LockoutState>,
  ): Promise<boolean> {
    return (await em.nativeUpdate(User, { id, failedLoginCount: expected }, next)) === 1;
  }

  /** Clears the lockout state after a successful sign-in, bypassing the unit of work. */
  async resetLoginFailures(
    em: EntityManager,
    id: string,
    reset: Required<LockoutState> & { lastLoginAt: Date },
  ): Promise<void> {
    await em.nativeUpdate(User, { id }, reset);
  }

  /** The link of an external issuer's subject, with its user. */
  findExternalIdentity(em: EntityManager, issuer: string, subject: string): Promise<ExternalIdentity | null> {
    return em.findOne(ExternalIdentity, { issuer, subject }, { populate: ['user'] });
  }
}
