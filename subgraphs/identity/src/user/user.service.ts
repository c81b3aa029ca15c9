import type { EntityManager } from '@mikro-orm/core';
import { User } from './user.entity';
import type { UserRepository } from './user.repository';
import { checkPassword, normalizeEmail } from './user.policy';
import type { PasswordHasher } from '../auth/password.hasher';
import type { CredentialThrottle } from '../auth/credential-throttle';
import type { OrganizationService } from '../organization/organization.service';
import type { OrganizationRepository } from '../organization/organization.repository';
import type { SessionService } from '../session/session.service';
import type { AuditService } from '../audit/audit.service';
import type { ActorScope, CallerScope, RequestMeta } from '../shared/actor.types';
import {
  EntityNotFoundError,
  InvalidCredentialsError,
  InvalidInputError,
  StateConflictError,
} from '../shared/identity.errors';

export interface CreateUserInput {
  email: string;
  name: string;
  /** Omitted for machine users, which authenticate with API keys only. */
  password?: string | null;
  roles?: string[] | null;
}

/** Users and their credentials. */
export class UserService {
  constructor(
    private readonly deps: {
      users: UserRepository;
      organizationRepository: OrganizationRepository;
      organizations: OrganizationService;
      sessions: SessionService;
      hasher: PasswordHasher;
      audit: AuditService;
      /** Wrong current passwords count against the caller's address. */
      throttle: CredentialThrottle;
    },
  ) {}

  /** Creates a user without any membership (first run, external providers). */
  async createDetached(
    em: EntityManager,
    input: { email: string; name: string; password?: string | null },
  ): Promise<User> {
    const email = normalizeEmail(input.email);
    const name = input.name.trim();
    if (!name || name.length > 200) throw new InvalidInputError('name', 'Name must be 1-200 characters');
    if (input.password != null) checkPassword(input.password);
    if (await this.deps.users.emailTaken(em, email))
      throw new StateConflictError('A user with this email already exists');
    const passwordHash = input.password != null ? await this.deps.hasher.hash(input.password) : null;
    const user = em.create(User, { email, name, passwordHash });
    await em.persist(user).flush();
    return user;
  }

  /** Creates a user in the actor's organization with `roles` (default `viewer`). */
  async create(scope: ActorScope, input: CreateUserInput, meta?: RequestMeta): Promise<User> {
    const { em, viewer: actor } = scope;
    const roles = input.roles ?? ['viewer'];
    await this.deps.organizations.checkGrantable(scope, roles);
    const user = await this.createDetached(em, input);
    this.deps.audit.record(em, {
      type: 'user.created',
      success: true,
      organizationId: actor.organizationId,
      actor,
      target: { type: 'User', id: user.id },
      meta,
      details: { email: user.email },
    });
    await this.deps.organizations.addMember(scope, user, roles, meta);
    return user;
  }

  /** Adds an existing user (by email) to the actor's organization with `roles` (default `viewer`). */
  async invite(scope: ActorScope, email: string, roles?: string[] | null, meta?: RequestMeta): Promise<User> {
    const user = await this.deps.users.findByEmail(scope.em, normalizeEmail(email));
    if (!user) throw new EntityNotFoundError('User', email);
    await this.deps.organizations.addMember(scope, user, roles ?? ['viewer'], meta);
    return user;
  }

  /** The user with this id, when it is a member of `organizationId`. */
  async inOrganization(em: EntityManager, organizationId: string, id: string): Promise<User> {
    const membership = await this.deps.organizationRepository.findMember(em, id, organizationId);
    if (!membership) throw new EntityNotFoundError('User', id);
    return membership.user;
  }

  /** `me`: the signed-in user. */
  me({ em, viewer }: ActorScope): Promise<User> {
    return this.inOrganization(em, viewer.organizationId, viewer.id);
  }

  /** `user(id)`: a member of the viewer's organization. */
  get({ em, viewer }: ActorScope, id: string): Promise<User> {
    return this.inOrganization(em, viewer.organizationId, id);
  }

  /** The member an API key or a session of `organizationId` belongs to (their fields `user`). */
  member({ em }: CallerScope, organizationId: string, id: string): Promise<User> {
    return this.inOrganization(em, organizationId, id);
  }

  /** A user for a federation reference: a member of the viewer's organization, else null. */
  async referenced({ em, viewer }: ActorScope, id: string): Promise<User | null> {
    return (await this.deps.organizationRepository.findMember(em, id, viewer.organizationId))?.user ?? null;
  }

  /**
   * `changePassword`: changes the viewer's own password after checking the current one (a wrong one
   * counts against the caller's address), then ends the viewer's other sessions in every organization.
   */
  async changePassword(scope: ActorScope, current: string, next: string, meta?: RequestMeta): Promise<boolean> {
    await this.deps.throttle.guard(meta?.ipAddress ?? 'unknown', () =>
      this.replacePassword(scope, current, next, meta),
    );
    await this.deps.sessions.revokeOthersOf(scope.em, scope.viewer.id, scope.viewer.sessionId, 'password-changed');
    return true;
  }

  private async replacePassword(
    { em, viewer: actor }: ActorScope,
    current: string,
    next: string,
    meta?: RequestMeta,
  ): Promise<void> {
    const user = await this.deps.users.findByIdWithPassword(em, actor.id);
    if (!user?.passwordHash || !(await this.deps.hasher.verify(user.passwordHash, current))) {
      throw new InvalidCredentialsError('The current password is wrong');
    }
    checkPassword(next, 'newPassword');
    user.passwordHash = await this.deps.hasher.hash(next);
    this.deps.audit.record(em, {
      type: 'password.changed',
      success: true,
      organizationId: actor.organizationId,
      actor,
      target: { type: 'User', id: user.id },
      meta,
    });
    await em.flush();
  }
}
