import { AuthenticationError } from '../errors';
import type { RevocationList } from './revocations';
import { watchRevocation } from './revocations';
import { REVOKED_TOKEN_MESSAGE } from './token-verifier';
import type { Viewer } from './viewer';

/** Why a subscription ends when its access token expires. */
export const EXPIRED_SUBSCRIPTION_MESSAGE = 'Access token expired: subscription ended';

/** The longest delay setTimeout keeps (about 24.8 days): a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Watches what a long-lived operation (a subscription) was authenticated with: calls `onEnded` once,
 * with the UNAUTHENTICATED error to end it with, when the viewer's token expires or its session or
 * key is revoked (`revocations`). Nothing happens without a viewer.
 * @returns a function that stops watching
 */
export function watchCredentials(
  viewer: Viewer | null | undefined,
  revocations: RevocationList | undefined,
  onEnded: (error: AuthenticationError) => void,
): () => void {
  if (!viewer) return () => undefined;
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  let unwatch = () => undefined as void;
  const stop = () => {
    done = true;
    clearTimeout(timer);
    unwatch();
  };
  const end = (message: string) => {
    if (done) return;
    stop();
    onEnded(new AuthenticationError(message));
  };
  unwatch = watchRevocation(revocations, viewer, () => end(REVOKED_TOKEN_MESSAGE));
  const arm = () => {
    const left = viewer.expiresAt - Date.now();
    timer = setTimeout(
      () => (left > MAX_TIMER_MS ? arm() : end(EXPIRED_SUBSCRIPTION_MESSAGE)),
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
    // The connection holds the process while the operation runs; this timer need not.
    timer.unref();
  };
  arm();
  return stop;
}
