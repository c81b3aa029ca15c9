import type { EntityManager } from '@mikro-orm/core';
import { exportJWK, generateKeyPair, importJWK, type JWK, type KeyLike } from 'jose';
import { SecretBox } from '../../../../lib/src/index';
import type { Clock } from '../../../../lib/src/kit/clock';
import { SigningKey, type StoredPrivateKey } from './signing-key.entity';
import type { SigningKeyRepository } from './signing-key.repository';
import { randomToken } from '../shared/secret.util';

export interface KeyRingSettings {
  /** Lifetime of the tokens the keys sign: a retired key is published this long (plus skew). */
  accessTokenTtlSeconds: number;
  /** Rotate the active key when it is older than this; null turns automatic rotation off. */
  rotationSeconds: number | null;
  /**
   * Private Ed25519 JWKs given by configuration (each with `kid`). When set they replace the
   * database keys: the first signs, all are published.
   */
  configuredKeys?: JWK[];
  /** Seals the private keys kept in the database; disabled: they are kept plain (outside production only). */
  keyEncryption?: SecretBox;
}

/** What `sealAtRest` did at boot. */
export interface KeysAtRest {
  /** Plain private keys it encrypted (kept before a key-encryption key was set). */
  sealed: number;
  /** Keys encrypted with a previous key-encryption key, now with the current one. */
  resealed: number;
  /** Keys kept plain because no key-encryption key is set. */
  plain: number;
}

/** Verifiers may disagree with our clock by this much. */
const CLOCK_SKEW_SECONDS = 60;

/** A scheduled key is published this long before it signs (longer than any verifier's JWKS cache). */
export const PUBLISH_AHEAD_SECONDS = 300;

/** When a key starts signing (keys created before scheduling existed: their creation). */
function activation(key: SigningKey): number {
  return (key.activatesAt ?? key.createdAt).getTime();
}

export interface ActiveSigningKey {
  kid: string;
  key: KeyLike;
}

/**
 * The access-token signing keys. Rows live in the database so every replica and every restart sees
 * the same keys; imported keys are cached by `kid` (a kid never changes its key material).
 */
export class SigningKeyRing {
  private readonly imported = new Map<string, Promise<KeyLike>>();
  private readonly box: SecretBox;

  constructor(
    private readonly settings: KeyRingSettings,
    private readonly clock: Clock,
    private readonly rows: SigningKeyRepository,
  ) {
    this.box = settings.keyEncryption ?? new SecretBox([]);
  }

  /** Creates the first key when there is none (first boot). Returns the active kid. */
  async ensureActiveKey(em: EntityManager): Promise<string> {
    return (await this.activeKey(em)).kid;
  }

  /**
   * The key to sign with now. With automatic rotation, the next key is created `PUBLISH_AHEAD_SECONDS`
   * before it starts signing, so every verifier's cached JWKS already holds it when its first token
   * arrives; once it signs, the previous key is retired (and stays published until its tokens expire).
   */
  async activeKey(em: EntityManager): Promise<ActiveSigningKey> {
    const configured = this.settings.configuredKeys;
    if (configured?.length) {
      const jwk = configured[0]!;
      return { kid: jwk.kid as string, key: await this.importPrivate(jwk) };
    }
    const now = this.clock().getTime();
    const keys = await this.rows.active(em);
    const live = keys.filter((k) => activation(k) <= now).sort((a, b) => activation(b) - activation(a));
    const signing = live[0] ?? (await this.rotate(em));
    const superseded = live.slice(1);
    for (const key of superseded) {
      key.status = 'retired';
      key.retiredAt = new Date(activation(signing));
    }
    const rotation = this.settings.rotationSeconds;
    if (rotation != null) {
      const due = activation(signing) + rotation * 1000;
      const scheduled = keys.some((k) => activation(k) > now);
      if (!scheduled && now >= due - PUBLISH_AHEAD_SECONDS * 1000) {
        await this.createKey(
          em,
          new Date(Math.max(due, now + PUBLISH_AHEAD_SECONDS * 1000)),
          await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true }),
        );
      }
    }
    await em.flush();
    return { kid: signing.kid, key: await this.importStored(signing) };
  }

  /**
   * Brings every private key in the database to rest under the current key-encryption key: plain
   * keys (kept before one was set) are encrypted, keys encrypted with a previous one are encrypted
   * again. Runs at boot, before anything signs; refuses to boot when a key cannot be opened.
   */
  async sealAtRest(em: EntityManager): Promise<KeysAtRest> {
    const { box } = this;
    const done: KeysAtRest = { sealed: 0, resealed: 0, plain: 0 };
    for (const key of await this.rows.all(em)) {
      const stored = key.privateJwk;
      if (typeof stored.jwe === 'string') {
        const { plaintext, stale } = await box.open(stored.jwe, sealContext(key.kid));
        if (!stale) continue;
        key.privateJwk = { jwe: await box.seal(plaintext, sealContext(key.kid)) };
        done.resealed++;
      } else if (box.enabled) {
        key.privateJwk = { jwe: await box.seal(JSON.stringify(stored), sealContext(key.kid)) };
        done.sealed++;
      } else {
        done.plain++;
      }
    }
    await em.flush();
    return done;
  }

  /** The private JWK as stored: sealed when a key-encryption key is set. */
  private async toStored(kid: string, jwk: Record<string, string>): Promise<StoredPrivateKey> {
    return this.box.enabled ? { jwe: await this.box.seal(JSON.stringify(jwk), sealContext(kid)) } : jwk;
  }

  /** Imports a database key once per kid, opening its sealed private JWK. */
  private importStored(row: SigningKey): Promise<KeyLike> {
    const cached = this.imported.get(row.kid);
    if (cached) return cached;
    const stored = row.privateJwk;
    const jwk =
      typeof stored.jwe === 'string'
        ? this.box.open(stored.jwe, sealContext(row.kid)).then(({ plaintext }) => JSON.parse(plaintext) as JWK)
        : Promise.resolve({ ...stored, kid: row.kid } as JWK);
    return this.cacheImport(row.kid, jwk);
  }

  /** Generates a key that signs from now on and retires every other (they stay published until their tokens expire). */
  async rotate(em: EntityManager): Promise<SigningKey> {
    if (this.settings.configuredKeys?.length) {
      throw new Error('Signing keys come from configuration: rotate them there');
    }
    const now = this.clock();
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const previous = await this.rows.active(em);
    for (const key of previous) {
      key.status = 'retired';
      key.retiredAt = now;
    }
    const key = await this.createKey(em, now, pair);
    await em.flush();
    return key;
  }

  private async createKey(em: EntityManager, activatesAt: Date, pair: { privateKey: KeyLike }): Promise<SigningKey> {
    const privateJwk = await exportJWK(pair.privateKey);
    const { d: _d, ...publicJwk } = privateJwk;
    const kid = randomToken(12);
    const key = em.create(SigningKey, {
      kid,
      alg: 'EdDSA',
      publicJwk: stringRecord(publicJwk),
      privateJwk: await this.toStored(kid, stringRecord(privateJwk)),
      createdAt: this.clock(),
      activatesAt,
    });
    em.persist(key);
    return key;
  }

  /** The public JWKS: the active key and every retired key whose tokens may still be valid. Prunes the rest. */
  async jwks(em: EntityManager): Promise<{ keys: JWK[] }> {
    const configured = this.settings.configuredKeys;
    if (configured?.length) {
      return { keys: configured.map(({ d: _d, ...pub }) => ({ ...pub, alg: 'EdDSA', use: 'sig' })) };
    }
    const keys = await this.rows.all(em);
    const horizon = this.clock().getTime() - (this.settings.accessTokenTtlSeconds + CLOCK_SKEW_SECONDS) * 1000;
    const expired = keys.filter((k) => k.status === 'retired' && (k.retiredAt?.getTime() ?? 0) < horizon);
    if (expired.length) await em.remove(expired).flush();
    return {
      keys: keys
        .filter((k) => !expired.includes(k))
        .map((k) => ({ ...k.publicJwk, kid: k.kid, alg: 'EdDSA', use: 'sig' }) as JWK),
    };
  }

  private importPrivate(jwk: JWK): Promise<KeyLike> {
    const kid = jwk.kid as string;
    return this.imported.get(kid) ?? this.cacheImport(kid, Promise.resolve(jwk));
  }

  private cacheImport(kid: string, jwk: Promise<JWK>): Promise<KeyLike> {
    const key = jwk.then((k) => importJWK({ ...k, kid, alg: 'EdDSA' }, 'EdDSA') as Promise<KeyLike>);
    this.imported.set(kid, key);
    key.catch(() => this.imported.delete(kid));
    return key;
  }
}

/** What a sealed private key is bound to: its own kid (a sealed value moved to another row does not open). */
function sealContext(kid: string): string {
  return `signing-key:${kid}`;
}

function stringRecord(jwk: JWK): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(jwk)) if (typeof v === 'string') out[k] = v;
  return out;
}
