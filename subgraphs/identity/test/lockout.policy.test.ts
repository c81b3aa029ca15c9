import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_LOCKOUT_POLICY, isLocked, registerFailure, type LockoutState } from '../src/auth/lockout.policy';
import { firstRunBanner } from '../src/bootstrap/first-run.banner';
import { Organization } from '../src/organization/organization.entity';

const policy = DEFAULT_LOCKOUT_POLICY;

describe('lockout policy', () => {
  it('is free below the threshold, then doubles from the base delay up to the cap', () => {
    let state: LockoutState = { failedLoginCount: 0 };
    const t0 = new Date('2026-01-01T00:00:00Z');
    const delays: number[] = [];
    for (let i = 1; i <= 12; i++) {
      const now = new Date(t0.getTime() + i * 3_600_000);
      state = registerFailure(state, now, policy);
      delays.push(state.lockedUntil ? (state.lockedUntil.getTime() - now.getTime()) / 1000 : 0);
    }
    expect(delays).toEqual([0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
  });

  it('forgets old failures after the reset window', () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const old = { failedLoginCount: 50, lastFailedLoginAt: t0, lockedUntil: null };
    const later = new Date(t0.getTime() + (policy.resetAfterSeconds + 1) * 1000);
    expect(registerFailure(old, later, policy)).toEqual({
      failedLoginCount: 1,
      lastFailedLoginAt: later,
      lockedUntil: null,
    });
  });

  it('never locks for longer than the cap, whatever the history (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10 ** 12 }), (count, ms) => {
        const now = new Date(ms);
        const next = registerFailure({ failedLoginCount: count, lastFailedLoginAt: now }, now, policy);
        const wait = next.lockedUntil ? next.lockedUntil.getTime() - now.getTime() : 0;
        expect(wait).toBeLessThanOrEqual(policy.maxDelaySeconds * 1000);
        expect(isLocked(next, new Date(ms + policy.maxDelaySeconds * 1000 + 1))).toBe(false);
      }),
    );
  });
});

describe('first-run banner', () => {
  const organization = Object.assign(new Organization(), { slug: 'default', name: 'Default organization' });

  it('shows a generated password once, in a box', () => {
    const text = firstRunBanner({
      organization,
      adminEmail: 'admin@aic.local',
      generatedPassword: 'Zx81-generated-password',
    });
    expect(text).toContain('email:    admin@aic.local');
    expect(text).toContain('password: Zx81-generated-password');
    const lines = text.trimEnd().split('\n');
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('never echoes a configured password', () => {
    expect(firstRunBanner({ organization, adminEmail: 'a@b.example', generatedPassword: null })).toContain(
      'the value of AIC_ADMIN_PASSWORD',
    );
  });
});
