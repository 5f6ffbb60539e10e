import type {
  OAuthCallbackMessage,
  OAuthConnection,
  OAuthProvider,
  OAuthStartResponse,
} from '../../../contract/index.ts';
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
import type { OAuthCompleteInput, OAuthStartInput } from './schema.ts';
import { claimState, dropState, holdSignIn, openVerifier, storeState, takeHeldSignIn } from './store.ts';

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
  // The same kind of value: 256 random bits, only its hash stored.
  const binding = newState();
  const codeVerifier = newCodeVerifier();
  await storeState(
    deps.db,
    box,
    tenant,
    state,
    binding,
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
    binding,
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
 * The provider's redirect: takes the state (once), exchanges the code and holds the tokens for
 * the starting page, which completes with the binding from the start and the code handed to it
 * here. A link forwarded to someone else thus connects nobody's account. Nothing is held unless
 * all of it succeeds.
 */
export async function finishSignIn(
  deps: Deps,
  query: { state?: string; code?: string; error?: string },
  fallbackLang: Lang,
): Promise<SignInOutcome> {
  const row = query.state ? await claimState(deps.db, query.state, deps.now()) : undefined;
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
  const failed = async (status: 400 | 502, error: SignInError, detail: string = error): Promise<SignInOutcome> => {
    await dropState(deps.db, row);
    return {
      status,
      lang,
      message: { type: 'mail-server-oauth', ok: false, provider: row.provider, account: null, error: detail },
      origin: row.origin,
      returnTo: row.returnTo,
      error,
    };
  };
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
    const completion = newState();
    await holdSignIn(deps.db, box, row, signedIn, completion, deps.now());
    return {
      status: 200,
      lang,
      message: { type: 'mail-server-oauth', ok: true, provider: row.provider, account: signedIn.account, completion },
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

/** The starting page completes a held sign-in: the grant is stored (replacing the provider's old one). */
export async function completeSignIn(
  deps: Deps,
  tenant: TenantIdentity,
  lang: Lang,
  input: OAuthCompleteInput,
): Promise<OAuthConnection> {
  const box = await secretBoxFor(deps.config.settingsEncryptionKey);
  const now = deps.now();
  const held = await takeHeldSignIn(deps.db, box, tenant.id, input, now);
  if (!held) throw fieldError('completion', 'oauth_completion_invalid', lang);
  await storeSignIn(deps.db, box, tenant.id, held.provider, held.signedIn, now);
  return { provider: held.provider, account: held.signedIn.account, connected: true, connectedAt: now.toISOString() };
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
