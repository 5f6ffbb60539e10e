// Certificate fingerprints as the tenant confirms them and the engine pins them.

/** SHA-256 as hex, in pairs with or without colons (as browsers and `openssl x509 -fingerprint` show it). */
const FINGERPRINT = /^[0-9A-Fa-f]{2}(:?[0-9A-Fa-f]{2}){31}$/;

export function isFingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

/** Upper-case hex without separators: the one form stored, compared and returned. */
export function normalizeFingerprint(value: string): string {
  return value.replace(/[^0-9a-f]/gi, '').toUpperCase();
}
