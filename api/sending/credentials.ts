import type { OAuthProvider } from '../../contract/index.ts';
import type { SecretBox } from '../crypto/secret-box.ts';
import type { MailServerRow } from '../db/schema.ts';
import {
  type AccessTokenContext,
  accessTokenFor,
  forgetRefusedToken,
  settleStoredTokens,
} from '../oauth/access-token.ts';
import { AccessTokenRenewalError } from '../smtp/errors.ts';
import { type OAuthTarget, oauthTargetRefusal } from '../oauth/target.ts';
import type { NormalizedSmtpError, SmtpSettings } from '../smtp/types.ts';

/** Engine settings with their secret in clear, or why the tenant's server cannot be logged in to now. */
export type Credentials =
  | {
      ok: true;
      settings: SmtpSettings;
      /** A refreshed sign-in's tokens being stored meanwhile; awaited before the sends end. */
      stored: Promise<void>;
    }
  | { ok: false; error: NormalizedSmtpError };

const authError = (code: NormalizedSmtpError['code'], transient: boolean): NormalizedSmtpError => ({
  stage: 'auth',
  code,
  responseCode: null,
  response: null,
  transient,
});

/**
 * The XOAUTH2 login for a grant: the access token (refreshed when it expires soon) and the mailbox
 * (the one given, else the signed-in account). A failure is an error at stage `auth`; a server
 * the token must not go to gets none (settings saved before that rule, or a changed operator list).
 */
export async function xoauth2Login(
  ctx: AccessTokenContext,
  tenantId: string,
  provider: OAuthProvider,
  username: string | null,
  target: OAuthTarget,
): Promise<
  { ok: true; auth: SmtpSettings['auth']; stored: Promise<void> } | { ok: false; error: NormalizedSmtpError }
> {
  if (oauthTargetRefusal(ctx.oauth, provider, target))
    return { ok: false, error: authError('oauth_host_not_allowed', false) };
  const token = await accessTokenFor(ctx, tenantId, provider);
  if (!token.ok) return { ok: false, error: authError(token.code, token.transient) };
  // A later session of a long batch (a connection opened again) gets a token valid then; rare, so
  // its refresh is written before it is sent.
  const renewAccessToken = async () => {
    const fresh = await accessTokenFor(ctx, tenantId, provider);
    if (!fresh.ok) throw new AccessTokenRenewalError(fresh.code, fresh.transient);
    await settleStoredTokens(fresh.stored);
    return { accessToken: fresh.accessToken, usableUntil: fresh.usableUntil };
  };
  const auth = {
    method: 'xoauth2' as const,
    username: username ?? token.account,
    accessToken: token.accessToken,
    accessTokenUsableUntil: token.usableUntil,
    renewAccessToken,
  };
  return { ok: true, auth, stored: token.stored };
}

export const loginRefused = (error: NormalizedSmtpError) => error.stage === 'auth' && error.code === 'auth_failed';

/**
 * After a failed send: an access token the server refused (535) is not used again (see
 * forgetRefusedToken). Never throws; a failure is logged by name only (a database error's message
 * carries the statement's parameters).
 */
export async function forgetIfRefused(
  ctx: AccessTokenContext,
  tenantId: string,
  provider: OAuthProvider | null | undefined,
  settings: SmtpSettings,
  error: NormalizedSmtpError,
): Promise<void> {
  const token = settings.auth.method === 'xoauth2' ? settings.auth.accessToken : null;
  if (!loginRefused(error) || !provider || !token) return;
  await forgetRefusedToken(ctx, tenantId, provider, token).catch((e: unknown) => {
    console.error(`oauth: a refused access token could not be dropped (${e instanceof Error ? e.name : 'unknown'})`);
  });
}

/** Stored settings → what the SMTP engine needs: the password decrypted (tenant id as AAD), or a grant's access token. */
export async function smtpSettingsFromRow(row: MailServerRow, ctx: AccessTokenContext): Promise<Credentials> {
  const base = {
    host: row.host,
    port: row.port,
    security: row.security,
    tlsPinSha256: row.allowUntrustedCertificate ? row.tlsPinSha256 : null,
  };
  if (row.authMethod === 'xoauth2') {
    const login = await xoauth2Login(ctx, row.tenantId, row.oauthProvider!, row.username, row);
    return login.ok ? { ok: true, settings: { ...base, auth: login.auth }, stored: login.stored } : login;
  }
  return {
    ok: true,
    settings: {
      ...base,
      auth: { method: row.authMethod, username: row.username, password: await openPassword(row, ctx.box) },
    },
    stored: Promise.resolve(),
  };
}

async function openPassword(row: MailServerRow, box: SecretBox): Promise<string | null> {
  if (!row.passwordCiphertext || !row.passwordIv || !row.passwordKeyId) return null;
  return box.open({ ciphertext: row.passwordCiphertext, iv: row.passwordIv, keyId: row.passwordKeyId }, row.tenantId);
}
