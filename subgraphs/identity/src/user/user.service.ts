import type { EntityManager } from '@mikro-orm/core';
import { User } from './user.entity';
import type { PasswordHasher } from '../auth/password.hasher';
import type { OrganizationService } from '../organization/organization.service';
import type { AuditService } from '../audit/audit.service';
import type { Actor, RequestMeta } from '../shared/actor.types';
import { EntityNotFoundError, InvalidCredentialsError, InvalidInputError, StateConflictError } from '../shared/identity.errors';
import { Membership } from '../organization/membership.entity';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** NIST 800-63B: at least 8 characters, accept at least 64. */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 256;

/** Lower-cases and trims an email; throws when it is not one. */
export function normalizeEmail(email: string, field = 'email'): string {
  const value = email.trim().toLowerCase();
  if (value.length > 320 || !EMAIL.test(value)) throw new InvalidInputError(field, 'Not a valid email address');
  return value;
}

/** Throws unless the password meets the length policy. */
export function checkPassword(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new InvalidInputError(field, `Passwords are ${PASSWORD_MIN}-${PASSWORD_MAX} characters`);
  }
}

export interface CreateUserInput {
  email: string;
  name: string;
  /** Omitted for machine users, which authenticate with API keys only. */
  password?: string | null;
  roles?: string[];
}

/** Users and their credentials. */
export class UserService {
  constructor(
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly organizations: OrganizationService,
    private readonly audit: AuditService,
  ) {}

  /** Creates a user without any membership (first run, external providers). */
  async createDetached(input: { email: string; name: string; password?: string | null }): Promise<User> {
    const email = normalizeEmail(input.email);
    const name = input.name.trim();
    if (!name || name.length > 200) throw new InvalidInputError('name', 'Name must be 1-200 characters');
    if (input.password != null) checkPassword(input.password);
    if (await this.em.count(User, { email })) throw new StateConflictError('A user with this email already exists');
    const passwordHash = input.password != null ? await this.hasher.hash(input.password) : null;
    const user = this.em.create(User, { email, name, passwordHash });
    await this.em.persist(user).flush();
    return user;
  }

  /** Creates a user in the actor's organization with `roles` (default `viewer`). */
  async create(actor: Actor, input: CreateUserInput, meta?: RequestMeta): Promise<User> {
    await this.organizations.checkGrantable(actor, input.roles ?? ['viewer']);
    const user = await this.createDetached(input);
    this.audit.record({ type: 'user.created', success: true, organizationId: actor.organizationId, actor, target: { type: 'User', id: user.id }, meta, details: { email: user.email } });
    await this.organizations.addMember(actor, user, input.roles ?? ['viewer'], meta);
    return user;
  }

  /** Adds an existing user (by email) to the actor's organization. */
  async invite(actor: Actor, email: string, roles: string[], meta?: RequestMeta): Promise<User> {
    const user = await this.em.findOne(User, { email: normalizeEmail(email) });
    if (!user) throw new EntityNotFoundError('User', email);
    await this.organizations.addMember(actor, user, roles, meta);
    return user;
  }

  /** The user with this id, when it is a member of `organizationId`. */
  async inOrganization(organizationId: string, id: string): Promise<User> {
    const membership = await this.em.findOne(Membership, { user: id, organization: organizationId }, { populate: ['user'] });
    if (!membership) throw new EntityNotFoundError('User', id);
    return membership.user;
  }

  /** The user with this id in any organization (federation references are checked by the caller). */
  byId(id: string): Promise<User | null> {
    return this.em.findOne(User, { id });
  }

  /** Changes the actor's own password after checking the current one. */
  async changePassword(actor: Actor, current: string, next: string, meta?: RequestMeta): Promise<void> {
    const user = await this.em.findOne(User, { id: actor.id }, { populate: ['passwordHash'] });
    if (!user?.passwordHash || !(await this.hasher.verify(user.passwordHash, current))) {
      throw new InvalidCredentialsError('The current password is wrong');
    }
    checkPassword(next, 'newPassword');
    user.passwordHash = await this.hasher.hash(next);
    this.audit.record({ type: 'password.changed', success: true, organizationId: actor.organizationId, actor, target: { type: 'User', id: user.id }, meta });
    await this.em.flush();
  }
}
