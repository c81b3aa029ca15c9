import { createHash } from 'node:crypto';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose';
import { ConfigError } from './env';

/** A key-encryption key (KEK): 32 random bytes, known by an id derived from it. */
export interface KeyEncryptionKey {
  /** 16 hex characters of a domain-separated sha256 of the key: names it in sealed values without revealing it. */
  id: string;
  key: Uint8Array;
}

const BASE64_32_BYTES = /^[A-Za-z0-9+/_-]{43}=?$/;

/**
 * Parses a KEK setting: one base64 (or base64url) encoded 32-byte key, or a comma-separated list
 * "current,previous,..." during a rotation (the first seals, all open).
 * @returns the keys, current first; [] when unset. Throws ConfigError naming `name` when malformed.
 */
export function parseKeyEncryptionKeys(value: string | undefined, name: string): KeyEncryptionKey[] {
  if (!value?.trim()) return [];
  const keys = value.split(',').map((part, i) => {
    const text = part.trim();
    if (!BASE64_32_BYTES.test(text))
      throw new ConfigError(`${name}[${i}] must be 32 random bytes in base64 (e.g. \`openssl rand -base64 32\`)`);
    const key = new Uint8Array(Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64'));
    return { id: keyId(key), key };
  });
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new ConfigError(`${name} lists the same key twice`);
  return keys;
}

function keyId(key: Uint8Array): string {
  return createHash('sha256').update('aic key-encryption-key id\0').update(key).digest('hex').slice(0, 16);
}

/** A sealed value that cannot be opened with the configured keys (or no key is configured). */
export class SealedSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealedSecretError';
  }
}

/** Protected-header member binding a sealed value to what it is (a value cannot be moved to another row). */
const CONTEXT_HEADER = 'aic_ctx';

/**
 * Seals secrets at rest (AES-256-GCM, as a compact JWE with `alg: dir`, `enc: A256GCM` and the
 * KEK's id as `kid`) and opens them with any of the configured KEKs. `context` names the secret
 * (`signing-key:<kid>`); it is authenticated, so a sealed value opens only for what it was sealed as.
 */
export class SecretBox {
  constructor(
    private readonly keys: KeyEncryptionKey[],
    /** The setting the keys come from, for error messages. */
    private readonly setting = 'AIC_KEY_ENCRYPTION_KEY',
  ) {}

  /** Whether a KEK is configured (without one, callers keep secrets as they are, outside production only). */
  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** Seals `plaintext` with the current KEK. @returns the compact JWE */
  async seal(plaintext: string, context: string): Promise<string> {
    const current = this.keys[0];
    if (!current) throw new SealedSecretError(`${this.setting} is not set: cannot encrypt a secret at rest`);
    return new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', kid: current.id, [CONTEXT_HEADER]: context })
      .encrypt(current.key);
  }

  /**
   * Opens a sealed value.
   * @returns the plaintext, and `stale: true` when a previous KEK sealed it (seal it again)
   */
  async open(sealed: string, context: string): Promise<{ plaintext: string; stale: boolean }> {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(sealed).kid;
    } catch {
      throw new SealedSecretError(`the sealed ${context} is not a JWE`);
    }
    const key = this.keys.find((k) => k.id === kid);
    if (!key) {
      throw new SealedSecretError(
        this.enabled
          ? `the ${context} was encrypted with key-encryption key ${String(kid)}, which is not in ${this.setting} (keep the previous key listed after the new one while rotating)`
          : `the ${context} is encrypted at rest: set ${this.setting} to the key it was encrypted with`,
      );
    }
    let opened;
    try {
      opened = await compactDecrypt(sealed, key.key);
    } catch {
      throw new SealedSecretError(
        `the sealed ${context} does not decrypt with key-encryption key ${key.id}: it was altered`,
      );
    }
    if (opened.protectedHeader[CONTEXT_HEADER] !== context)
      throw new SealedSecretError(`the sealed value is not the ${context}: it was moved from another record`);
    return { plaintext: new TextDecoder().decode(opened.plaintext), stale: key !== this.keys[0] };
  }
}
