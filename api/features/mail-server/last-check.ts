// The last check (issue #19): a verify or test counts for the saved settings when it checked exactly
// them. "Exactly" is a fingerprint of what decides the SMTP session; the password enters it only as
// an HMAC under a key of its own (HKDF from SETTINGS_ENCRYPTION_KEY), stored with the settings, so
// reading them needs neither the key nor a decryption.

import type { AuthMethod, LastCheck, OAuthProvider, Security, SmtpErrorCode } from '../../../contract/index.ts';
import { normalizeFingerprint } from '../../../contract/rules/certificate.ts';
import { secretBoxFor } from '../../crypto/secret-box.ts';
import type { MailServerCheckRow, MailServerRow, OAuthGrantRow, TenantIdentity } from '../../db/schema.ts';
import { localizeDeliveryError } from '../../i18n/delivery-errors.ts';
import type { Lang } from '../../i18n/lang.ts';
import { tenantSender, type Sender } from '../../sending/sender.ts';
import type { SmtpSettings } from '../../smtp/types.ts';
import { bytesToBase64 } from '../../util/base64.ts';

/** What decides a session with the tenant's server: a check of other values says nothing about these. */
interface CheckedSettings {
  host: string;
  port: number;
  security: Security;
  allowUntrustedCertificate: boolean;
  /** The certificate accepted in place of a publicly trusted one. */
  pin: string | null;
  authMethod: AuthMethod;
  /** The login name the session uses (with a sign-in and none given: the signed-in account). */
  username: string | null;
  oauthProvider: OAuthProvider | null;
  passwordMac: string | null;
  /** MAIL FROM. */
  sender: string;
}

const encoder = new TextEncoder();
const PASSWORD_MAC_INFO = 'mail-server-settings/last-check/password-mac/v1';

/** The password's HMAC-SHA256, bound to the tenant; never the password or a plain hash of it. */
export async function passwordMac(encryptionKey: string | null, tenantId: string, password: string): Promise<string> {
  const key = await (await secretBoxFor(encryptionKey)).hmacKey(PASSWORD_MAC_INFO);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(JSON.stringify([tenantId, password])));
  return bytesToBase64(new Uint8Array(mac));
}

/** SHA-256 over the tenant and the settings; the only secret in it is already keyed (passwordMac). */
async function fingerprint(tenantId: string, s: CheckedSettings): Promise<string> {
  const canonical = JSON.stringify([
    tenantId,
    s.host.toLowerCase(),
    s.port,
    s.security,
    s.allowUntrustedCertificate,
    s.pin && normalizeFingerprint(s.pin),
    s.authMethod,
    s.authMethod === 'none' ? null : s.username,
    s.oauthProvider,
    s.passwordMac,
    s.sender.toLowerCase(),
  ]);
  return bytesToBase64(new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(canonical))));
}

/** The saved settings as a session with them would run (the sign-in's account from its grant). */
function savedFingerprint(row: MailServerRow, grants: OAuthGrantRow[], tenant: TenantIdentity): Promise<string> {
  const account = grants.find((g) => g.provider === row.oauthProvider)?.account ?? null;
  return fingerprint(tenant.id, {
    host: row.host,
    port: row.port,
    security: row.security,
    allowUntrustedCertificate: row.allowUntrustedCertificate,
    pin: row.allowUntrustedCertificate ? row.tlsPinSha256 : null,
    authMethod: row.authMethod,
    username: row.authMethod === 'xoauth2' ? (row.username ?? account) : row.username,
    oauthProvider: row.oauthProvider,
    passwordMac: row.passwordMac,
    sender: tenantSender(tenant, row).from.address,
  });
}

/** The session a verify or test runs, as its plan describes it. */
export interface CheckedSession {
  settings: SmtpSettings;
  sender: Sender;
  oauthProvider?: OAuthProvider;
}

/**
 * The fingerprint of the settings a verify or test session runs with (its password as its MAC);
 * null without an encryption key, when no saved password could match it anyway.
 */
export async function sessionFingerprint(
  encryptionKey: string | null,
  tenantId: string,
  { settings, sender, oauthProvider }: CheckedSession,
): Promise<string | null> {
  const password = settings.auth.method === 'xoauth2' ? null : (settings.auth.password ?? null);
  if (password && !encryptionKey) return null;
  return fingerprint(tenantId, {
    host: settings.host,
    port: settings.port,
    security: settings.security,
    allowUntrustedCertificate: settings.allowUntrustedCertificate ?? false,
    pin: settings.allowUntrustedCertificate ? (settings.tlsPinSha256 ?? null) : null,
    authMethod: settings.auth.method,
    username: settings.auth.username ?? null,
    oauthProvider: oauthProvider ?? null,
    passwordMac: password ? await passwordMac(encryptionKey, tenantId, password) : null,
    sender: sender.from.address,
  });
}

/** The latest check of exactly the saved settings, among the tenant's (read with them). */
export async function savedSettingsCheck(
  row: MailServerRow | undefined,
  grants: OAuthGrantRow[],
  checks: MailServerCheckRow[],
  tenant: TenantIdentity,
): Promise<MailServerCheckRow | undefined> {
  if (!row || checks.length === 0) return undefined;
  const saved = await savedFingerprint(row, grants, tenant);
  return checks.find((c) => c.fingerprint === saved);
}

/** The check as the API shows it; its error's message in the reader's language. */
export function lastCheckView(check: MailServerCheckRow | undefined, lang: Lang): LastCheck | null {
  if (!check) return null;
  const base = { ok: check.ok, at: check.checkedAt.toISOString(), kind: check.kind };
  const error = check.ok ? null : localizeDeliveryError(check.error, lang);
  return error ? { ...base, error: { code: error.code as SmtpErrorCode, message: error.message } } : base;
}
