// Key rotation: `npm run keys:reseal` seals stored passwords again with the new (first) key, so the
// old key can be removed afterwards; a password no configured key opens is reported and left alone.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@libsql/client';
import { afterAll, expect, it } from 'vitest';
import { SecretBox } from '../../api/crypto/secret-box.ts';
import { passwordMac } from '../../api/features/mail-server/last-check.ts';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { grantAad } from '../../api/oauth/grants.ts';
import { resealGrants } from '../../scripts/lib/reseal-grants.ts';
import { resealPasswords } from '../../scripts/lib/reseal.ts';

const dir = mkdtempSync(join(tmpdir(), 'mss-reseal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;

async function storedPasswords(url: string, rows: [tenant: string, box: SecretBox, password: string][]) {
  await applyMigrations(url);
  const client = createClient({ url });
  for (const [tenant, box, password] of rows) {
    const sealed = await box.seal(password, tenant);
    await client.execute({
      sql: 'insert into tenants (id, name, email, created_at, updated_at) values (?, ?, ?, 0, 0)',
      args: [tenant, tenant, `${tenant}@example.com`],
    });
    await client.execute({
      sql: `insert into mail_servers (tenant_id, host, port, security, allow_untrusted_certificate, auth_method, username, password_ciphertext, password_iv, password_key_id, fallback_to_system, version, updated_at)
            values (?, 'smtp.example.com', 587, 'starttls', 0, 'plain', 'u', ?, ?, ?, 0, 1, 0)`,
      args: [tenant, sealed.ciphertext, sealed.iv, sealed.keyId],
    });
  }
  client.close();
}

async function keyIds(url: string): Promise<Record<string, string>> {
  const client = createClient({ url });
  const { rows } = await client.execute('select tenant_id, password_key_id from mail_servers order by tenant_id');
  client.close();
  return Object.fromEntries(rows.map((r) => [String(r.tenant_id), String(r.password_key_id)]));
}

it('seals every password under an old key with the new one; afterwards the old key can go', async () => {
  const url = `file:${join(dir, 'a.db')}`;
  const [k1, k2, lost] = [key('k1'), key('k2'), key('k0')];
  await storedPasswords(url, [
    ['a', await SecretBox.fromConfig(k1), 'Grüße-Pässwort-1'],
    ['b', await SecretBox.fromConfig(k1), 'zweites'],
    ['c', await SecretBox.fromConfig(k2), 'schon-neu'],
    ['d', await SecretBox.fromConfig(lost), 'verloren'],
  ]);
  const report = await resealPasswords(url, undefined, `${k2},${k1}`);
  expect(report).toEqual({ resealed: 2, current: 1, keyed: 1, unreadable: ['d'], remaining: [] });
  expect(await keyIds(url)).toEqual({ a: 'k2', b: 'k2', c: 'k2', d: 'k0' });
  // With the new key alone, every password that was readable still opens, as it was.
  const client = createClient({ url });
  const { rows } = await client.execute(
    "select tenant_id, password_ciphertext, password_iv, password_key_id from mail_servers where tenant_id in ('a', 'b')",
  );
  client.close();
  const onlyNew = await SecretBox.fromConfig(k2);
  const opened = await Promise.all(
    rows.map((r) =>
      onlyNew.open(
        { ciphertext: String(r.password_ciphertext), iv: String(r.password_iv), keyId: String(r.password_key_id) },
        String(r.tenant_id),
      ),
    ),
  );
  expect(opened.sort()).toEqual(['Grüße-Pässwort-1', 'zweites']);
  // The last check's MAC of each readable password is keyed under the new key as a save would key it.
  const reader = createClient({ url });
  const macRows = await reader.execute(
    "select tenant_id, password_mac from mail_servers where tenant_id in ('a', 'b', 'c')",
  );
  reader.close();
  const macs = Object.fromEntries(macRows.rows.map((r) => [String(r.tenant_id), r.password_mac]));
  expect(macs).toEqual({
    a: await passwordMac(k2, 'a', 'Grüße-Pässwort-1'),
    b: await passwordMac(k2, 'b', 'zweites'),
    // Under the new key already but saved without a MAC (before migration 0013): given one.
    c: await passwordMac(k2, 'c', 'schon-neu'),
  });
  // Again: nothing left to do.
  expect(await resealPasswords(url, undefined, `${k2},${k1}`)).toEqual({
    resealed: 0,
    current: 3,
    keyed: 0,
    unreadable: ['d'],
    remaining: [],
  });
});

it('a password saved under the old key while it ran is reported as remaining, not as done', async () => {
  const url = `file:${join(dir, 'c.db')}`;
  const [k1, k2] = [key('k1'), key('k2')];
  const old = await SecretBox.fromConfig(k1);
  await storedPasswords(url, [
    ['a', old, 'erstes'],
    ['b', old, 'zweites'],
  ]);
  // An instance that still has only the old key saves tenant a's password between read and write.
  const report = await resealPasswords(url, undefined, `${k2},${k1}`, async (tenant) => {
    if (tenant !== 'a') return;
    const sealed = await old.seal('neu-gespeichert', 'a');
    const client = createClient({ url });
    await client.execute({
      sql: 'update mail_servers set password_ciphertext = ?, password_iv = ?, password_key_id = ? where tenant_id = ?',
      args: [sealed.ciphertext, sealed.iv, sealed.keyId, 'a'],
    });
    client.close();
  });
  expect(report).toEqual({ resealed: 1, current: 0, keyed: 0, unreadable: [], remaining: ['a'] });
  // Run again once every instance has the new key first: nothing remains.
  expect(await resealPasswords(url, undefined, `${k2},${k1}`)).toEqual({
    resealed: 1,
    current: 1,
    keyed: 0,
    unreadable: [],
    remaining: [],
  });
});

it('runs as `npm run keys:reseal` would: plain node, reporting what it did', async () => {
  const url = `file:${join(dir, 'b.db')}`;
  const [k1, k2] = [key('k1'), key('k2')];
  await storedPasswords(url, [['a', await SecretBox.fromConfig(k1), 'geheim']]);
  const { stdout } = await promisify(execFile)(process.execPath, ['scripts/reseal-passwords.ts'], {
    env: { ...process.env, DATABASE_URL: url, SETTINGS_ENCRYPTION_KEY: `${k2},${k1}` },
  });
  expect(stdout).toContain('1 password(s) sealed again with the current key, 0 already under it');
  expect(await keyIds(url)).toEqual({ a: 'k2' });
});

it("seals the sign-ins' tokens under an old key with the new one, bound as before to tenant and provider", async () => {
  const url = `file:${join(dir, 'grants.db')}`;
  const [k1, k2, lost] = [key('k1'), key('k2'), key('k0')];
  await applyMigrations(url);
  const client = createClient({ url });
  const grants: [tenant: string, key: string, refresh: string, access: string | null][] = [
    ['g1', k1, 'refresh-one', 'access-one'],
    ['g2', k1, 'refresh-two', null],
    ['g3', lost, 'refresh-lost', 'access-lost'],
  ];
  for (const [tenant, k, refresh, access] of grants) {
    const box = await SecretBox.fromConfig(k);
    const r = await box.seal(refresh, grantAad(tenant, 'google', 'refresh'));
    const a = access ? await box.seal(access, grantAad(tenant, 'google', 'access')) : null;
    await client.execute({
      sql: 'insert into tenants (id, name, email, created_at, updated_at) values (?, ?, ?, 0, 0)',
      args: [tenant, tenant, `${tenant}@example.com`],
    });
    await client.execute({
      sql: `insert into oauth_grants (tenant_id, provider, account, refresh_ciphertext, refresh_iv, refresh_key_id,
            access_ciphertext, access_iv, access_key_id, access_expires_at, connected_at, updated_at)
            values (?, 'google', 'a@example.com', ?, ?, ?, ?, ?, ?, 0, 0, 0)`,
      args: [tenant, r.ciphertext, r.iv, r.keyId, a?.ciphertext ?? null, a?.iv ?? null, a?.keyId ?? null],
    });
  }
  expect(await resealGrants(url, undefined, `${k2},${k1}`)).toEqual({
    resealed: 2,
    unreadable: ['g3/google'],
    remaining: [],
  });
  const onlyNew = await SecretBox.fromConfig(k2);
  const { rows } = await client.execute(
    "select * from oauth_grants where tenant_id in ('g1', 'g2') order by tenant_id",
  );
  client.close();
  const opened = await Promise.all(
    rows.map(async (r) => [
      await onlyNew.open(
        { ciphertext: String(r.refresh_ciphertext), iv: String(r.refresh_iv), keyId: String(r.refresh_key_id) },
        grantAad(String(r.tenant_id), 'google', 'refresh'),
      ),
      r.access_ciphertext
        ? await onlyNew.open(
            { ciphertext: String(r.access_ciphertext), iv: String(r.access_iv), keyId: String(r.access_key_id) },
            grantAad(String(r.tenant_id), 'google', 'access'),
          )
        : null,
    ]),
  );
  expect(opened).toEqual([
    ['refresh-one', 'access-one'],
    ['refresh-two', null],
  ]);
});
