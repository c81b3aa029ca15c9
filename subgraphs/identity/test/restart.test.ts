import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gql } from '../../../lib/src/testing/harness';
import { ADMIN_EMAIL, startIdentity } from './support/test-server';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aic-identity-restart-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('identity across a restart (embedded SQLite file)', () => {
  it('generates the first owner once, and keeps users, sessions and signing keys', async () => {
    const first = await startIdentity({
      dataDir,
      env: { AIC_ADMIN_EMAIL: 'first@example.com', AIC_ADMIN_PASSWORD: '' },
    });
    expect(fs.existsSync(path.join(dataDir, 'identity.sqlite'))).toBe(true);
    const generated = first.identity.firstRun;
    expect(generated).toMatchObject({ adminEmail: 'first@example.com' });
    expect(generated!.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const session = await first.login('first@example.com', generated!.generatedPassword!);
    await gql(
      first.graphqlUrl,
      'mutation { createUser(input: { email: "kept@example.com", name: "Kept", password: "kept password" }) { id } }',
      {},
      session.accessToken,
    );
    await first.stop();

    const second = await startIdentity({ dataDir, env: { AIC_ADMIN_EMAIL: ADMIN_EMAIL } });
    try {
      expect(second.identity.firstRun).toBeNull();
      // The access token issued before the restart still verifies: the signing key was persisted.
      const me = await gql(second.graphqlUrl, '{ me { email } users { email } }', {}, session.accessToken);
      expect(me.data).toEqual({
        me: { email: 'first@example.com' },
        users: [{ email: 'first@example.com' }, { email: 'kept@example.com' }],
      });
      const refreshed = await gql(
        second.graphqlUrl,
        'mutation($t: String!) { refreshToken(refreshToken: $t) { user { email } } }',
        { t: session.refreshToken },
      );
      expect(refreshed.data.refreshToken.user.email).toBe('first@example.com');
      await expect(second.login('kept@example.com', 'kept password')).resolves.toMatchObject({
        user: { id: expect.any(String) },
      });
    } finally {
      await second.stop();
    }
  });
});
