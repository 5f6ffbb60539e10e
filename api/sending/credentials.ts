import type { SecretBox } from '../crypto/secret-box.ts';
import type { SmtpSettings } from '../smtp/types.ts';
import type { MailServerRow } from '../db/schema.ts';

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
