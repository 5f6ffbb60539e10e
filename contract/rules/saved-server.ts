import type { Security } from '../index.ts';
import { normalizeFingerprint } from './certificate.ts';

/** Letter case folded as SQLite's lower() does it (A–Z only): the save statement decides the same way. */
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The stored server, as the API keeps it. */
export interface SavedServer {
  host: string;
  port: number;
  username: string | null;
  security: Security;
  authMethod: string;
  allowUntrustedCertificate: boolean;
  /** The certificate the tenant confirmed (with `allowUntrustedCertificate`). */
  tlsPinSha256: string | null;
}

/** The server that settings (a draft or a save) name. */
export interface ServerSettings {
  host: string;
  port: number;
  security: Security;
  allowUntrustedCertificate: boolean;
  auth: { method: string; username: string | null };
  /** Omitted: the saved pin (same host and port); null: none. */
  trustedCertificateSha256?: string | null;
}

const sameAddress = (saved: SavedServer, settings: ServerSettings) =>
  asciiLower(saved.host) === asciiLower(settings.host) && saved.port === settings.port;

/**
 * The one certificate accepted in place of a publicly trusted one: the fingerprint the settings
 * name, or (none named) the saved pin while host and port stay; none without "always trust".
 */
export function pinnedCertificate(saved: SavedServer | undefined, settings: ServerSettings): string | null {
  if (!settings.allowUntrustedCertificate) return null;
  if (settings.trustedCertificateSha256 !== undefined)
    return settings.trustedCertificateSha256 ? normalizeFingerprint(settings.trustedCertificateSha256) : null;
  return saved?.allowUntrustedCertificate && sameAddress(saved, settings) ? saved.tlsPinSha256 : null;
}

/**
 * Why the stored password may not be used for these settings, or null when it may: only for the
 * saved server itself, reached no less safely — the same host (ASCII letters in any case), port and
 * user name; not switched to "no encryption" when it was saved with encryption; not switched from
 * CRAM-MD5 (which never sends the password) to PLAIN or LOGIN without encryption; not switched to
 * "always trust the certificate" (anyone in between could then present one); and, with it, no
 * other certificate pinned than the one the password was saved for. Any other server or certificate
 * would receive the tenant's password just because a draft (or a save) named it, and a downgrade
 * would expose a password entered for a safer connection. The widget asks this function too; the
 * save applies the same rule as SQL (savedServerCondition in api/features/mail-server/store.ts).
 */
export function storedPasswordRefusal(
  saved: SavedServer,
  settings: ServerSettings,
): 'password_required_for_new_server' | 'password_required_for_new_certificate' | null {
  const sameServer = sameAddress(saved, settings) && saved.username === settings.auth.username;
  const inClear =
    settings.security === 'none' && (settings.auth.method === 'plain' || settings.auth.method === 'login');
  const noDowngrade =
    (settings.security !== 'none' || saved.security === 'none') &&
    !(inClear && saved.authMethod === 'cram-md5') &&
    (!settings.allowUntrustedCertificate || saved.allowUntrustedCertificate);
  if (!sameServer || !noDowngrade) return 'password_required_for_new_server';
  const samePin = !settings.allowUntrustedCertificate || pinnedCertificate(saved, settings) === saved.tlsPinSha256;
  return samePin ? null : 'password_required_for_new_certificate';
}

export function isSavedServer(saved: SavedServer, settings: ServerSettings): boolean {
  return storedPasswordRefusal(saved, settings) === null;
}
