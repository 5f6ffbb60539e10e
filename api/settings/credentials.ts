import type { SecretBox } from '../crypto/secret-box.ts';
import type { SmtpSettings } from '../mail/types.ts';
import type { MailServerRow } from './store.ts';

/** Stored settings → what the SMTP engine needs, with the password decrypted (tenant id as AAD). */
export async function smtpSettingsFromRow(row: MailServerRow, box: SecretBox): Promise<SmtpSettings> {
  const password =
    row.passwordCiphertext && row.passwordIv && row.passwordKeyId
      ? await box.open(
          { ciphertext: row.passwordCiphertext, iv: row.passwordIv, keyId: row.passwordKeyId },
          row.tenantId,
        )
      : null;
  return {
    host: row.host,
    port: row.port,
    security: row.security,
    auth: { method: row.authMethod, username: row.username, password },
    tlsPinSha256: row.allowUntrustedCertificate ? row.tlsPinSha256 : null,
  };
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
 * password entered for a safer connection. Twins: the save statement (store.ts writeSettings) and
 * the widget's `_passwordStored`.
 */
export function isSavedServer(
  saved: Pick<MailServerRow, 'host' | 'port' | 'username' | 'security' | 'authMethod' | 'allowUntrustedCertificate'>,
  settings: {
    host: string;
    port: number;
    security: MailServerRow['security'];
    allowUntrustedCertificate: boolean;
    auth: { method: string; username: string | null };
  },
): boolean {
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
