import type { SecretBox } from '../crypto/secret-box.ts';
import type { SmtpSettings } from '../mail/types.ts';
import type { MailServerRow } from './store.ts';

/** Stored settings → what the SMTP engine needs, with the password decrypted (tenant id as AAD). */
export async function smtpSettingsFromRow(row: MailServerRow, box: SecretBox): Promise<SmtpSettings> {
  const password =
    row.passwordCiphertext && row.passwordIv && row.passwordKeyId
      ? await box.open({ ciphertext: row.passwordCiphertext, iv: row.passwordIv, keyId: row.passwordKeyId }, row.tenantId)
      : null;
  return {
    host: row.host,
    port: row.port,
    security: row.security,
    auth: { method: row.authMethod, username: row.username, password },
    tlsPinSha256: row.allowUntrustedCertificate ? row.tlsPinSha256 : null,
  };
}

/**
 * Whether settings name the saved server itself, reached no less safely: the same host
 * (case-insensitive), port and user name, and not switched to "no encryption" when it was saved
 * with encryption. Only then may the stored password be used; any other server would receive the
 * tenant's password just because a draft (or a save) named it, and a downgrade would send a
 * password entered for an encrypted connection in clear text. Twins: the save statement
 * (store.ts writeSettings) and the widget's `_passwordStored`.
 */
export function isSavedServer(
  saved: Pick<MailServerRow, 'host' | 'port' | 'username' | 'security'>,
  settings: { host: string; port: number; security: MailServerRow['security']; auth: { username: string | null } },
): boolean {
  const sameServer = saved.host.toLowerCase() === settings.host.toLowerCase() && saved.port === settings.port && saved.username === settings.auth.username;
  return sameServer && (settings.security !== 'none' || saved.security === 'none');
}
