import type { OAuthCallbackMessage, OAuthProvider, OAuthStartResponse } from '../../../contract/index.ts';
import type { OAuthProviderConfig } from '../../config/oauth.ts';
import { secretBoxFor } from '../../crypto/secret-box.ts';
import type { OAuthGrantRow, TenantIdentity } from '../../db/schema.ts';
import type { Deps } from '../../http/context.ts';
import type { Defer } from '../../http/defer.ts';
import { validationError } from '../../http/body.ts';
import { fieldMessage, type FieldCode } from '../../i18n/field-messages.ts';
import type { Lang } from '../../i18n/lang.ts';
import type { SignInError } from '../../i18n/oauth-pages.ts';
import {
  AccountMissingError,
  authorizationUrl,
  exchangeCode,
  GrantInvalidError,
  newCodeVerifier,
  newState,
  ProviderRefusedError,
  ProviderUnavailableError,
  revokeToken,
} from '../../oauth/client.ts';
import { deleteGrants, openRefreshToken, storeSignIn } from '../../oauth/grants.ts';
import type { OAuthStartInput } from './schema.ts';
import { consumeState, openVerifier, storeState } from './store.ts';

const fieldError = (path: string, code: FieldCode, lang: Lang) =>
  validationError([{ path, code, message: fieldMessage(code, lang) }]);

/** The operator's registration of the provider, or a field error when it is not offered here. */
function providerConfig(deps: Deps, provider: OAuthProvider, lang: Lang): OAuthProviderConfig {
  const config = deps.config.oauth.providers[provider];
  if (!config || !deps.config.oauth.redirectUri) throw fieldError('provider', 'oauth_provider_unavailable', lang);
  return config;
}

/** Redirect mode goes back to a page of the origin that started it, nowhere else. */
function returnToOf(input: OAuthStartInput, origin: string, lang: Lang): string | null {
  if (input.mode !== 'redirect') return null;
  let url: URL | null = null;
  try {
    url = input.returnTo ? new URL(input.returnTo) : null;
  } catch {}
  if (!url || url.origin !== origin) throw fieldError('returnTo', 'return_to_invalid', lang);
  return url.toString();
}

/** Starts a sign-in: a single-use state bound to tenant, provider and origin, and the provider's URL. */
export async function startSignIn(
  deps: Deps,
  tenant: TenantIdentity,
  lang: Lang,
  input: OAuthStartInput,
  origin: string,
): Promise<OAuthStartResponse> {
  const provider = providerConfig(deps, input.provider, lang);
  const returnTo = returnToOf(input, origin, lang);
  const box = await secretBoxFor(deps.config.settingsEncryptionKey);
  const state = newState();
  const codeVerifier = newCodeVerifier();
  await storeState(
    deps.db,
    box,
    tenant,
    state,
    { provider: input.provider, origin, returnTo, lang, codeVerifier },
    deps.now(),
  );
  return {
    authorizationUrl: await authorizationUrl(provider, {
      redirectUri: deps.config.oauth.redirectUri!,
      state,
      codeVerifier,
      loginHint: input.loginHint ?? tenant.email,
    }),
  };
}

/** How the callback ends: the page's text and message, and where a redirect-mode browser goes back to. */
export interface SignInOutcome {
  status: 200 | 400 | 502;
  lang: Lang;
  message: OAuthCallbackMessage;
  /** The origin the popup posts to; null when the state was unknown (nobody to tell). */
  origin: string | null;
  returnTo: string | null;
  error: SignInError | null;
}

const PROVIDER_ERRORS = /^[a-z_]{1,64}$/;

/**
 * The provider's redirect: takes the state (once), exchanges the code and stores the grant.
 * Nothing is stored unless all of it succeeds.
 */
export async function finishSignIn(
  deps: Deps,
  query: { state?: string; code?: string; error?: string },
  fallbackLang: Lang,
): Promise<SignInOutcome> {
  const row = query.state ? await consumeState(deps.db, query.state, deps.now()) : undefined;
  if (!row) {
    const message: OAuthCallbackMessage = {
      type: 'mail-server-oauth',
      ok: false,
      provider: null,
      account: null,
      error: 'state_invalid',
    };
    return { status: 400, lang: fallbackLang, message, origin: null, returnTo: null, error: 'state_invalid' };
  }
  const lang = row.lang === 'en' ? 'en' : 'de';
  const failed = (status: 400 | 502, error: SignInError, detail: string = error): SignInOutcome => ({
    status,
    lang,
    message: { type: 'mail-server-oauth', ok: false, provider: row.provider, account: null, error: detail },
    origin: row.origin,
    returnTo: row.returnTo,
    error,
  });
  if (query.error || !query.code) {
    const code = query.error && PROVIDER_ERRORS.test(query.error) ? query.error : 'provider_error';
    return failed(400, code === 'access_denied' ? 'access_denied' : 'provider_error', code);
  }
  const provider = deps.config.oauth.providers[row.provider];
  const redirectUri = deps.config.oauth.redirectUri;
  if (!provider || !redirectUri) return failed(400, 'provider_unavailable');
  const box = await secretBoxFor(deps.config.settingsEncryptionKey);
  try {
    const signedIn = await exchangeCode(provider, redirectUri, query.code, await openVerifier(box, row), deps.now);
    await storeSignIn(deps.db, box, row.tenantId, row.provider, signedIn, deps.now());
    return {
      status: 200,
      lang,
      message: { type: 'mail-server-oauth', ok: true, provider: row.provider, account: signedIn.account },
      origin: row.origin,
      returnTo: row.returnTo,
      error: null,
    };
  } catch (error) {
    if (error instanceof ProviderUnavailableError) return failed(502, 'provider_unavailable');
    if (error instanceof GrantInvalidError) return failed(400, 'exchange_failed');
    if (error instanceof AccountMissingError) return failed(400, 'account_missing');
    // Our own errors' messages are safe to log; any other (a database error) only by name: its message carries sealed tokens.
    const detail =
      error instanceof ProviderRefusedError ? error.message : error instanceof Error ? error.name : 'unknown';
    console.error(`oauth ${row.provider}: sign-in failed: ${detail}`);
    return failed(400, 'provider_error');
  }
}

/** Revokes deleted grants at their providers (where they offer it), after the response where the runtime allows. */
export function revokeGrants(deps: Deps, grants: OAuthGrantRow[], defer: Defer | undefined): Promise<void> {
  if (grants.length === 0) return Promise.resolve();
  const revoke = (async () => {
    const box = await secretBoxFor(deps.config.settingsEncryptionKey);
    for (const grant of grants) {
      const config = deps.config.oauth.providers[grant.provider];
      if (config) await revokeToken(config, await openRefreshToken(box, grant));
    }
  })().catch(() => {
    // Best effort: the grant is gone here either way; one the provider missed expires there.
  });
  if (!defer) return revoke;
  defer(revoke);
  return Promise.resolve();
}

/** Disconnects one provider: the grant deleted, then revoked. */
export async function disconnect(
  deps: Deps,
  tenant: TenantIdentity,
  provider: OAuthProvider,
  defer: Defer | undefined,
) {
  await revokeGrants(deps, await deleteGrants(deps.db, tenant.id, provider), defer);
}
