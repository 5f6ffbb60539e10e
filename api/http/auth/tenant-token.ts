import type { MiddlewareHandler } from 'hono';
import { sign, verify } from 'hono/jwt';
import type { TenantTokenPolicy } from '../../config/config.ts';
import type { AppEnv } from '../context.ts';
import type { TenantIdentity } from '../../db/schema.ts';
import { ApiError } from '../problem.ts';
import { isEmailAddress } from '../../../contract/rules/host.ts';
import { hasControlChars, isWellFormedText, toWellFormedText } from '../../util/text.ts';

/** RFC 6750: a request without credentials gets the challenge alone, a bad token `invalid_token`. */
const unauthorized = (tokenGiven: boolean, code: TokenProblem = 'unauthorized') =>
  new ApiError(401, code, [], {
    'www-authenticate': `Bearer realm="mail-server-settings"${tokenGiven ? ', error="invalid_token"' : ''}`,
  });

/** How far ahead of this clock a token's `iat` and `nbf` may be (the portal's clock may run ahead). */
export const CLOCK_SKEW_SECONDS = 60;

/** `iat` and `nbf`, when present, are numbers not later than now (give or take CLOCK_SKEW_SECONDS). */
function issuedByNow(claims: Record<string, unknown>, nowMs = Date.now()): boolean {
  const latest = Math.floor(nowMs / 1000) + CLOCK_SKEW_SECONDS;
  return [claims.iat, claims.nbf].every(
    (t) => t === undefined || (typeof t === 'number' && Number.isFinite(t) && t <= latest),
  );
}

type TokenProblem = 'unauthorized' | 'token_audience_mismatch' | 'token_issuer_mismatch' | 'token_lifetime_too_long';

/**
 * The deployment's own demands: `aud` and `iss` when configured, and a lifetime (`exp - iat`, both
 * required) within the maximum, so that a portal cannot hand out tokens that stay useful for days.
 */
function policyProblem(claims: Record<string, unknown>, policy: TenantTokenPolicy): TokenProblem | null {
  const { aud, iss, iat, exp } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number') return 'unauthorized';
  if (policy.audience !== null && !(aud === policy.audience || (Array.isArray(aud) && aud.includes(policy.audience))))
    return 'token_audience_mismatch';
  if (policy.issuer !== null && iss !== policy.issuer) return 'token_issuer_mismatch';
  if (exp - iat > policy.maxLifetimeSeconds) return 'token_lifetime_too_long';
  return null;
}

/** Checks the claims a host portal must put into a tenant token. */
function identityFromClaims(claims: Record<string, unknown>): TenantIdentity | null {
  const { sub, email, name, exp } = claims;
  if (typeof exp !== 'number') return null; // tokens without expiry are refused
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 200 || hasControlChars(sub) || !isWellFormedText(sub))
    return null;
  if (typeof email !== 'string' || !isEmailAddress(email)) return null;
  return { id: sub, email, name: typeof name === 'string' ? displayNameFrom(name) : '' };
}

/** The name claim as stored: at most 200 UTF-16 units, never cutting a character in half; '' when unusable. */
function displayNameFrom(name: string): string {
  if (hasControlChars(name)) return '';
  let cut = name.trim().slice(0, 200);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1); // the 200th unit began a surrogate pair
  // A half pair the portal put in would be refused by the database: replaced, the rest is kept.
  return toWellFormedText(cut);
}

/** The HMAC key of a secret, imported once per isolate (not on every request). */
const verifyKeys = new Map<string, Promise<CryptoKey>>();
function verifyKey(secret: string): Promise<CryptoKey> {
  let key = verifyKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'verify',
    ]);
    verifyKeys.set(secret, key);
    key.catch(() => verifyKeys.delete(secret));
  }
  return key;
}

/** Requires `Authorization: Bearer <JWT HS256>` signed with TENANT_TOKEN_SECRET; sets `c.var.tenant`. */
export const requireTenant: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+([A-Za-z0-9_\-.]+)\s*$/i.exec(header);
  const secret = c.var.deps.config.tenantTokenSecret;
  // Another scheme (Basic …) or none at all is not a bad token: the challenge alone.
  if (!match || !secret) throw unauthorized(/^Bearer\s/i.test(header));
  let claims: Record<string, unknown>;
  try {
    // iat and nbf are checked below, with room for a portal whose clock runs a little ahead.
    claims = await verify(match[1]!, await verifyKey(secret), { alg: 'HS256', iat: false, nbf: false });
  } catch {
    throw unauthorized(true);
  }
  const tenant = issuedByNow(claims) ? identityFromClaims(claims) : null;
  if (!tenant) throw unauthorized(true);
  const problem = policyProblem(claims, c.var.deps.config.tenantTokens);
  if (problem) throw unauthorized(true, problem);
  c.set('tenant', tenant);
  await next();
};

/** Mints a tenant token; what a host portal's backend does (used by /dev/token and tests). */
export function mintTenantToken(
  secret: string,
  tenant: TenantIdentity,
  ttlSeconds = 3600,
  nowMs = Date.now(),
  { audience, issuer }: Partial<Pick<TenantTokenPolicy, 'audience' | 'issuer'>> = {},
): Promise<string> {
  const now = Math.floor(nowMs / 1000);
  return sign(
    {
      sub: tenant.id,
      email: tenant.email,
      name: tenant.name,
      iat: now,
      exp: now + ttlSeconds,
      ...(audience ? { aud: audience } : {}),
      ...(issuer ? { iss: issuer } : {}),
    },
    secret,
    'HS256',
  );
}
