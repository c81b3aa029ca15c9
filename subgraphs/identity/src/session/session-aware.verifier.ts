import type { MikroORM } from '@mikro-orm/core';
import type { TokenVerifier } from '../../../../lib/src/index';
import { AuthenticationError } from '../../../../lib/src/index';
import type { SessionService } from './session.service';

/**
 * Identity's own verifier: lib's checks, then, for tokens of a session, that the session is still
 * open. Other services accept a token until it expires (at most 15 minutes); identity, where keys,
 * roles and sessions are managed, refuses it as soon as its session is revoked or logged out.
 */
export function createSessionAwareVerifier(
  orm: MikroORM,
  verify: TokenVerifier,
  sessions: SessionService,
): TokenVerifier {
  return async (token) => {
    const viewer = await verify(token);
    if (viewer.sessionId && !(await sessions.isOpen(orm.em.fork(), viewer.sessionId, viewer.id))) {
      throw new AuthenticationError('The session of this token has ended');
    }
    return viewer;
  };
}
