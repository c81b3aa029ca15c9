/**
 * Per-account throttling. From the `threshold`-th consecutive failure on, the n-th failure locks the
 * account for `baseDelaySeconds * 2^(n - threshold)`, capped at `maxDelaySeconds`.
 * A lock always ends: attempts made while it lasts are refused without counting and do not extend
 * it, and the count is forgotten after `resetAfterSeconds` without failures. An attacker therefore
 * gets at most one guess per lock period, and the owner can sign in as soon as the period ends.
 */
export interface LockoutPolicy {
  threshold: number;
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  resetAfterSeconds: number;
}

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = {
  threshold: 5,
  baseDelaySeconds: 30,
  maxDelaySeconds: 900,
  resetAfterSeconds: 86_400,
};

/** The lockout-relevant columns of a user. */
export interface LockoutState {
  failedLoginCount: number;
  lastFailedLoginAt?: Date | null;
  lockedUntil?: Date | null;
}

/** True while the account refuses sign-in attempts. */
export function isLocked(state: LockoutState, now: Date): boolean {
  return state.lockedUntil != null && state.lockedUntil.getTime() > now.getTime();
}

/** The state after one more failed attempt (made while not locked). */
export function registerFailure(state: LockoutState, now: Date, policy: LockoutPolicy): Required<LockoutState> {
  const stale =
    state.lastFailedLoginAt != null &&
    now.getTime() - state.lastFailedLoginAt.getTime() > policy.resetAfterSeconds * 1000;
  const failedLoginCount = (stale ? 0 : state.failedLoginCount) + 1;
  const over = failedLoginCount - policy.threshold;
  if (over < 0) return { failedLoginCount, lastFailedLoginAt: now, lockedUntil: null };
  const delaySeconds = Math.min(policy.baseDelaySeconds * 2 ** Math.min(over, 30), policy.maxDelaySeconds);
  return { failedLoginCount, lastFailedLoginAt: now, lockedUntil: new Date(now.getTime() + delaySeconds * 1000) };
}
