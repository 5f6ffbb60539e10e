// The authorization code flow with PKCE, refreshes and revocation against a provider's endpoints,
// through oauth4webapi (fetch-based: the same code on Workers and Node).
import * as oauth from 'oauth4webapi';
import type { OAuthProviderConfig } from '../config/oauth.ts';

/** Token-endpoint calls are time-boxed: a provider that does not answer is a transient failure. */
export const TOKEN_TIMEOUT_MS = 10_000;

/** The provider refused the grant for good (`invalid_grant`): revoked, expired, password changed, consent withdrawn. */
export class GrantInvalidError extends Error {}
/** The provider could not answer now (5xx, timeout, network): worth trying again later. */
export class ProviderUnavailableError extends Error {}
/** The provider refused our app (`invalid_client`, a wrong redirect URI, …): for the operator to mend. */
export class ProviderRefusedError extends Error {}
/** The ID token names no e-mail address for the signed-in account (one without a mailbox). */
export class AccountMissingError extends ProviderRefusedError {}

export interface IssuedTokens {
  accessToken: string;
  expiresAt: Date;
  /** Absent when the provider keeps the refresh token it issued before (Google does on refresh). */
  refreshToken: string | undefined;
}

export interface SignedIn extends IssuedTokens {
  account: string;
  refreshToken: string;
}

function server(provider: OAuthProviderConfig, issuer = 'unknown'): oauth.AuthorizationServer {
  return {
    issuer,
    authorization_endpoint: provider.authorizationEndpoint,
    token_endpoint: provider.tokenEndpoint,
    ...(provider.revocationEndpoint ? { revocation_endpoint: provider.revocationEndpoint } : {}),
  };
}

const clientOf = (provider: OAuthProviderConfig): oauth.Client => ({ client_id: provider.clientId });

function requestOptions(provider: OAuthProviderConfig) {
  return {
    signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    ...(provider.allowsInsecureRequests ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

export const newCodeVerifier = () => oauth.generateRandomCodeVerifier();
export const newState = () => oauth.generateRandomState();

/** The URL the tenant's browser opens to sign in (code flow, PKCE S256). */
export async function authorizationUrl(
  provider: OAuthProviderConfig,
  request: { redirectUri: string; state: string; codeVerifier: string; loginHint: string },
): Promise<string> {
  const url = new URL(provider.authorizationEndpoint);
  const params = {
    client_id: provider.clientId,
    response_type: 'code',
    redirect_uri: request.redirectUri,
    scope: provider.scopes,
    state: request.state,
    code_challenge: await oauth.calculatePKCECodeChallenge(request.codeVerifier),
    code_challenge_method: 'S256',
    login_hint: request.loginHint,
    ...provider.authorizationParams,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/** Any failure of a token-endpoint call as one of the three errors above. */
function classify(error: unknown): Error {
  if (error instanceof oauth.ResponseBodyError) {
    if (error.error === 'invalid_grant') return new GrantInvalidError(error.error);
    if (error.status >= 500 || error.error === 'temporarily_unavailable') {
      return new ProviderUnavailableError(`${error.status} ${error.error}`);
    }
    return new ProviderRefusedError(`${error.status} ${error.error}`);
  }
  if (error instanceof oauth.OperationProcessingError) {
    const status = (error.cause as Response | undefined)?.status;
    if (typeof status === 'number' && status >= 500) return new ProviderUnavailableError(`${status}`);
    return new ProviderRefusedError(error.code ?? error.message);
  }
  // Our own misuse of the library is a bug to see, not a provider to wait for.
  if (error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_INVALID_ARG')) {
    return error;
  }
  // fetch failed, timed out (AbortSignal) or the answer was cut off.
  return new ProviderUnavailableError(error instanceof Error ? error.name : 'network');
}

function issued(tokens: oauth.TokenEndpointResponse, now: number): IssuedTokens {
  // A provider that names no lifetime: assume an hour, as both providers issue.
  const expiresIn = typeof tokens.expires_in === 'number' && tokens.expires_in > 0 ? tokens.expires_in : 3600;
  return {
    accessToken: tokens.access_token,
    expiresAt: new Date(now + expiresIn * 1000),
    refreshToken: typeof tokens.refresh_token === 'string' && tokens.refresh_token ? tokens.refresh_token : undefined,
  };
}

/** The claims of an ID token, unchecked: only to find which issuer to check it against. */
async function unverifiedIdTokenClaims(response: Response): Promise<{ iss?: unknown; tid?: unknown }> {
  try {
    const body = (await response.clone().json()) as { id_token?: unknown };
    const payload = typeof body.id_token === 'string' ? body.id_token.split('.')[1] : undefined;
    if (!payload) return {};
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { iss?: unknown; tid?: unknown };
  } catch {
    return {};
  }
}

/**
 * Exchanges the callback's code (with the PKCE verifier and the client secret) and reads the
 * signed-in account from the ID token (`email`, else `preferred_username`). The ID token comes
 * straight from the token endpoint over TLS, so its claims (issuer, audience, lifetime) are checked
 * and its signature need not be.
 */
export async function exchangeCode(
  provider: OAuthProviderConfig,
  redirectUri: string,
  code: string,
  codeVerifier: string,
  now: () => Date,
): Promise<SignedIn> {
  const client = clientOf(provider);
  const auth = oauth.ClientSecretPost(provider.clientSecret);
  let tokens: oauth.TokenEndpointResponse;
  try {
    const anyServer = server(provider);
    // The state was checked (and used up) by the caller; only the code goes on.
    const params = oauth.validateAuthResponse(anyServer, client, new URLSearchParams({ code }), oauth.skipStateCheck);
    const response = await oauth.authorizationCodeGrantRequest(
      anyServer,
      client,
      auth,
      params,
      redirectUri,
      codeVerifier,
      requestOptions(provider),
    );
    const issuer = provider.expectedIssuer(await unverifiedIdTokenClaims(response));
    tokens = await oauth.processAuthorizationCodeResponse(server(provider, issuer), client, response, {
      requireIdToken: true,
    });
  } catch (error) {
    throw classify(error);
  }
  const claims = oauth.getValidatedIdTokenClaims(tokens);
  const account = [claims?.email, claims?.preferred_username].find((c) => typeof c === 'string' && c.includes('@'));
  const result = issued(tokens, now().getTime());
  if (typeof account !== 'string') throw new AccountMissingError('id_token names no e-mail address');
  if (!result.refreshToken) throw new ProviderRefusedError('no refresh token (offline access not granted)');
  return { ...result, account: account.trim(), refreshToken: result.refreshToken };
}

/** A new access token for the refresh token (and, where the provider rotates, a new refresh token). */
export async function refreshTokens(
  provider: OAuthProviderConfig,
  refreshToken: string,
  now: () => Date,
): Promise<IssuedTokens> {
  const client = clientOf(provider);
  try {
    const as = server(provider);
    const auth = oauth.ClientSecretPost(provider.clientSecret);
    const response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, requestOptions(provider));
    const issuer = provider.expectedIssuer(await unverifiedIdTokenClaims(response));
    return issued(await oauth.processRefreshTokenResponse(server(provider, issuer), client, response), now().getTime());
  } catch (error) {
    throw classify(error);
  }
}

/** Revokes the grant where the provider offers revocation; best effort (the grant is deleted here anyway). */
export async function revokeToken(provider: OAuthProviderConfig, refreshToken: string): Promise<boolean> {
  if (!provider.revocationEndpoint) return false;
  try {
    const auth = oauth.ClientSecretPost(provider.clientSecret);
    const response = await oauth.revocationRequest(
      server(provider),
      clientOf(provider),
      auth,
      refreshToken,
      requestOptions(provider),
    );
    await oauth.processRevocationResponse(response);
    return true;
  } catch {
    return false;
  }
}
