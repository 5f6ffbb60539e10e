import { createClient } from '@libsql/client';
import { SecretBox, SecretUnreadableError } from '../../api/crypto/secret-box.ts';
import { passwordMac } from '../../api/features/mail-server/last-check.ts';

export interface ResealReport {
  /** Passwords sealed again with the current key. */
  resealed: number;
  /** Passwords already under the current key. */
  current: number;
  /** Of those, the ones saved before the last check's MAC was stored, now given theirs. */
  keyed: number;
  /** Tenants whose password opens with none of the configured keys (left as they are). */
  unreadable: string[];
  /**
   * Tenants whose password is still under an old key after the run (saved meanwhile by an instance
   * that still has the old configuration): run again; until this is empty, keep the old key.
   */
  remaining: string[];
}

/**
 * Seals every stored password under an old key again with the current (first) one, so the old key
 * can go, and keys its MAC (the last check's) under the current one as well; a password under the
 * current key without a MAC (saved before it was stored) gets one. A row saved meanwhile is left alone; safe while the service runs, and again.
 */
export async function resealPasswords(
  url: string,
  authToken: string | undefined,
  keyConfig: string,
  /** Runs between reading a row and writing it back (tests: a save that comes in between). */
  beforeWrite?: (tenantId: string) => Promise<void>,
): Promise<ResealReport> {
  const box = await SecretBox.fromConfig(keyConfig);
  const client = createClient({ url, authToken });
  const report: ResealReport = { resealed: 0, current: 0, keyed: 0, unreadable: [], remaining: [] };
  try {
    const { rows } = await client.execute(
      'select tenant_id, password_ciphertext, password_iv, password_key_id, password_mac from mail_servers where password_ciphertext is not null',
    );
    for (const row of rows) {
      const tenantId = String(row.tenant_id);
      const old = {
        ciphertext: String(row.password_ciphertext),
        iv: String(row.password_iv),
        keyId: String(row.password_key_id),
      };
      const current = old.keyId === box.currentKeyId;
      if (current && row.password_mac !== null) {
        report.current++;
        continue;
      }
      let password: string;
      try {
        password = await box.open(old, tenantId);
      } catch (error) {
        if (!(error instanceof SecretUnreadableError)) throw error;
        report.unreadable.push(tenantId);
        continue;
      }
      if (current) {
        // Saved before the MAC was stored: without one the saved settings match no check.
        const { rowsAffected } = await client.execute({
          sql: 'update mail_servers set password_mac = ? where tenant_id = ? and password_ciphertext = ? and password_mac is null',
          args: [await passwordMac(keyConfig, tenantId, password), tenantId, old.ciphertext],
        });
        report.keyed += rowsAffected;
        continue;
      }
      const sealed = await box.seal(password, tenantId);
      // The last check's fingerprint keys the password under the current key too: without a new MAC
      // the saved settings would match none of the checks made after the rotation.
      const mac = await passwordMac(keyConfig, tenantId, password);
      await beforeWrite?.(tenantId);
      const { rowsAffected } = await client.execute({
        sql: 'update mail_servers set password_ciphertext = ?, password_iv = ?, password_key_id = ?, password_mac = ? where tenant_id = ? and password_ciphertext = ?',
        args: [sealed.ciphertext, sealed.iv, sealed.keyId, mac, tenantId, old.ciphertext],
      });
      if (rowsAffected === 1) report.resealed++;
      // else saved meanwhile: the check below tells under which key
    }
    // What is under an old key now, whatever happened meanwhile: only then may the old key go.
    const left = await client.execute({
      sql: 'select tenant_id from mail_servers where password_ciphertext is not null and password_key_id <> ? order by tenant_id',
      args: [box.currentKeyId],
    });
    report.remaining = left.rows.map((r) => String(r.tenant_id)).filter((id) => !report.unreadable.includes(id));
    const under = await client.execute({
      sql: 'select count(*) as n from mail_servers where password_key_id = ?',
      args: [box.currentKeyId],
    });
    report.current = Number(under.rows[0]?.n ?? 0) - report.resealed;
  } finally {
    client.close();
  }
  return report;
}
