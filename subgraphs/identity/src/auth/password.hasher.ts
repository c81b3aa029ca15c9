import { hash, verify } from '@node-rs/argon2';
import { randomToken } from '../shared/secret.util';

/** OWASP's Argon2id floor: 19 MiB of memory, two passes, one lane. */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

const PHC_PARAMS = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/**
 * Hashes and verifies passwords with Argon2id. `burn` does the same work as a real verification
 * against a throw-away hash, so a sign-in with an unknown email costs as much as a wrong password.
 */
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  /** A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`). */
  hash(password: string): Promise<string> {
    return hash(password, { ...ARGON2_PARAMS, algorithm: 2 });
  }

  /** True when `password` matches `phc`; false (never a throw) for a malformed hash. */
  async verify(phc: string, password: string): Promise<boolean> {
    try {
      return await verify(phc, password);
    } catch {
      return false;
    }
  }

  /** Verifies against a hash nobody knows the password of; always false. */
  async burn(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomToken(24));
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when `phc` was made with weaker parameters than today's (re-hash it on the next sign-in). */
  needsRehash(phc: string): boolean {
    const m = PHC_PARAMS.exec(phc);
    if (!m) return true;
    return Number(m[1]) < ARGON2_PARAMS.memoryCost || Number(m[2]) < ARGON2_PARAMS.timeCost;
  }
}
