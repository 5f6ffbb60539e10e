import type { Security } from '../index.ts';

/** The stored server, as the API keeps it. */
export interface SavedServer {
  host: string;
  port: number;
  username: string | null;
  security: Security;
  authMethod: string;
  allowUntrustedCertificate: boolean;
}

/** The server that settings (a draft or a save) name. */
export interface ServerSettings {
  host: string;
  port: number;
  security: Security;
  allowUntrustedCertificate: boolean;
  auth: { method: string; username: string | null };
}

/** Letter case folded as SQLite's lower() does it (A–Z only): the save statement decides the same way. */
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/**
 * Whether settings name the saved server itself, reached no less safely: the same host
 * (ASCII letters in any case), port and user name; not switched to "no encryption" when it was saved with
 * encryption; not switched from CRAM-MD5 (which never sends the password) to PLAIN or LOGIN without
 * encryption; and not switched to "always trust the certificate" (anyone in between could then
 * present one). Only then may the stored password be used; any other server would receive the
 * tenant's password just because a draft (or a save) named it, and a downgrade would expose a
 * password entered for a safer connection. The widget asks this function too; the save applies the
 * same rule as SQL (savedServerCondition in api/features/mail-server/store.ts).
 */
export function isSavedServer(saved: SavedServer, settings: ServerSettings): boolean {
  const sameServer =
    asciiLower(saved.host) === asciiLower(settings.host) &&
    saved.port === settings.port &&
    saved.username === settings.auth.username;
  const inClear =
    settings.security === 'none' && (settings.auth.method === 'plain' || settings.auth.method === 'login');
  return (
    sameServer &&
    (settings.security !== 'none' || saved.security === 'none') &&
    !(inClear && saved.authMethod === 'cram-md5') &&
    (!settings.allowUntrustedCertificate || saved.allowUntrustedCertificate)
  );
}
