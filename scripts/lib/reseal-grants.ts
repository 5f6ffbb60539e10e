import { createClient } from '@libsql/client';
import type { OAuthProvider } from '../../contract/index.ts';
import { SecretBox, SecretUnreadableError } from '../../api/crypto/secret-box.ts';
import { grantAad } from '../../api/oauth/grants.ts';

export interface GrantResealReport {
  resealed: number;
  /** Grants that open with none of the configured keys: the tenant signs in again. */
  unreadable: string[];
  /** Grants still under an old key after the run (refreshed meanwhile by an instance with the old configuration). */
  remaining: string[];
}

const label = (row: Record<string, unknown>) => `${String(row.tenant_id)}/${String(row.provider)}`;

/**
 * Seals every sign-in's tokens under an old key again with the current one (like the passwords).
 * A grant refreshed meanwhile is left alone (its refresh sealed it with whatever key that instance had).
 */
export async function resealGrants(
  url: string,
  authToken: string | undefined,
  keyConfig: string,
): Promise<GrantResealReport> {
  const box = await SecretBox.fromConfig(keyConfig);
  const client = createClient({ url, authToken });
  const report: GrantResealReport = { resealed: 0, unreadable: [], remaining: [] };
  const current = box.currentKeyId;
  const old = 'refresh_key_id <> ? or (access_key_id is not null and access_key_id <> ?)';
  try {
    const { rows } = await client.execute({ sql: `select * from oauth_grants where ${old}`, args: [current, current] });
    for (const row of rows) {
      const tenantId = String(row.tenant_id);
      const provider = String(row.provider) as OAuthProvider;
      const open = (kind: 'refresh' | 'access') =>
        box.open(
          {
            ciphertext: String(row[`${kind}_ciphertext`]),
            iv: String(row[`${kind}_iv`]),
            keyId: String(row[`${kind}_key_id`]),
          },
          grantAad(tenantId, provider, kind),
        );
      let refresh: string;
      let access: string | null;
      try {
        refresh = await open('refresh');
        access = row.access_ciphertext ? await open('access') : null;
      } catch (error) {
        if (!(error instanceof SecretUnreadableError)) throw error;
        report.unreadable.push(label(row));
        continue;
      }
      const r = await box.seal(refresh, grantAad(tenantId, provider, 'refresh'));
      const a = access === null ? null : await box.seal(access, grantAad(tenantId, provider, 'access'));
      const { rowsAffected } = await client.execute({
        sql: `update oauth_grants set refresh_ciphertext = ?, refresh_iv = ?, refresh_key_id = ?,
              access_ciphertext = ?, access_iv = ?, access_key_id = ?
              where tenant_id = ? and provider = ? and revision = ?`,
        args: [
          r.ciphertext,
          r.iv,
          r.keyId,
          a?.ciphertext ?? null,
          a?.iv ?? null,
          a?.keyId ?? null,
          tenantId,
          provider,
          Number(row.revision),
        ],
      });
      if (rowsAffected === 1) report.resealed++;
    }
    const left = await client.execute({
      sql: `select tenant_id, provider from oauth_grants where ${old}`,
      args: [current, current],
    });
    report.remaining = left.rows.map(label).filter((id) => !report.unreadable.includes(id));
  } finally {
    client.close();
  }
  return report;
}
