// AES-256-GCM for stored SMTP passwords; SETTINGS_ENCRYPTION_KEY = "id:base64[,oldId:base64…]", the first
// encrypts, all decrypt. The tenant id is the associated data: a ciphertext copied to another tenant's row fails.
// Keys for other purposes (an HMAC) are derived from the first by HKDF, each with its own info string.

import { base64ToBytes, bytesToBase64 } from '../util/base64.ts';

export interface SealedSecret {
  ciphertext: string;
  iv: string;
  keyId: string;
}

interface KeyEntry {
  id: string;
  key: CryptoKey;
  /** The same bytes as HKDF input, for keys of other purposes (never the encryption key itself). */
  hkdf: CryptoKey;
  /** Keys derived from it, by purpose (HKDF info): derived once per isolate. */
  derived: Map<string, Promise<CryptoKey>>;
}

export class SecretBoxConfigError extends Error {}

const keyCache = new Map<string, Promise<KeyEntry[]>>();

const encoder = new TextEncoder();

async function parseKeys(config: string): Promise<KeyEntry[]> {
  const entries = config
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new SecretBoxConfigError('SETTINGS_ENCRYPTION_KEY is empty');
  // A secret names the key that sealed it by id: two keys with one id would make one of them
  // unreachable (a rotation that reused "k2" would lose every password sealed with the old "k2").
  const ids = entries.map((entry) => (entry.indexOf(':') > 0 ? entry.slice(0, entry.indexOf(':')) : 'k1'));
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined)
    throw new SecretBoxConfigError(
      `SETTINGS_ENCRYPTION_KEY has two keys with the id "${twice}"; give the new key an id of its own`,
    );
  return Promise.all(
    entries.map(async (entry) => {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon) : 'k1';
      let raw: Uint8Array<ArrayBuffer>;
      try {
        raw = base64ToBytes(colon > 0 ? entry.slice(colon + 1) : entry);
      } catch {
        throw new SecretBoxConfigError(`SETTINGS_ENCRYPTION_KEY entry "${id}" is not base64`);
      }
      if (raw.length !== 32) throw new SecretBoxConfigError(`SETTINGS_ENCRYPTION_KEY entry "${id}" must be 32 bytes`);
      const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
      const hkdf = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']);
      return { id, key, hkdf, derived: new Map() };
    }),
  );
}

/** No SETTINGS_ENCRYPTION_KEY: nothing can be sealed or opened, and the API answers 503 until it is set. */
export class SecretKeyMissingError extends Error {}

/** The box of the configured keys (SETTINGS_ENCRYPTION_KEY). */
export async function secretBoxFor(key: string | null | undefined): Promise<SecretBox> {
  if (!key) throw new SecretKeyMissingError('SETTINGS_ENCRYPTION_KEY is not set');
  return SecretBox.fromConfig(key);
}

export class SecretBox {
  // A plain field, not a parameter property: scripts run this file with Node's type stripping.
  private readonly keys: KeyEntry[];

  private constructor(keys: KeyEntry[]) {
    this.keys = keys;
  }

  /** The id of the key new secrets are sealed with (the first one configured). */
  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  static async fromConfig(config: string): Promise<SecretBox> {
    let keys = keyCache.get(config);
    if (!keys) {
      keys = parseKeys(config);
      keyCache.set(config, keys);
      keys.catch(() => keyCache.delete(config));
    }
    return new SecretBox(await keys);
  }

  /** An HMAC-SHA256 key derived (HKDF) from the current key for one purpose, named by `info`. */
  hmacKey(info: string): Promise<CryptoKey> {
    const current = this.keys[0]!;
    let key = current.derived.get(info);
    if (!key) {
      key = crypto.subtle.deriveKey(
        { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode(info) },
        current.hkdf,
        { name: 'HMAC', hash: 'SHA-256', length: 256 },
        false,
        ['sign'],
      );
      current.derived.set(info, key);
    }
    return key;
  }

  async seal(plaintext: string, associatedData: string): Promise<SealedSecret> {
    const current = this.keys[0]!;
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(associatedData) },
      current.key,
      encoder.encode(plaintext),
    );
    return { ciphertext: bytesToBase64(new Uint8Array(ciphertext)), iv: bytesToBase64(iv), keyId: current.id };
  }

  /** Throws SecretUnreadableError when the key is unknown or the data was tampered with or belongs to another tenant. */
  async open(sealed: SealedSecret, associatedData: string): Promise<string> {
    const entry = this.keys.find((k) => k.id === sealed.keyId);
    if (!entry) throw new SecretUnreadableError(`no key with id ${sealed.keyId} configured`);
    let plaintext: ArrayBuffer;
    try {
      plaintext = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: base64ToBytes(sealed.iv), additionalData: encoder.encode(associatedData) },
        entry.key,
        base64ToBytes(sealed.ciphertext),
      );
    } catch {
      // Not the platform's message: it names the input's length, which is the secret's.
      throw new SecretUnreadableError(`does not decrypt with key ${sealed.keyId}`);
    }
    return new TextDecoder().decode(plaintext);
  }
}

/** A sealed secret that cannot be opened with the configured keys (see `SecretBox.open`). */
export class SecretUnreadableError extends Error {
  override name = 'SecretUnreadableError';
}
