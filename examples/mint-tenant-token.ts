// The portal's backend mints the token the widget sends: HS256 with TENANT_TOKEN_SECRET, the tenant
// in `sub`, `email` and `name`; at most TENANT_TOKEN_MAX_LIFETIME (3600 s) from `iat` to `exp`.
import { SignJWT } from 'jose';

export function mintTenantToken(secret: string, tenant: { id: string; email: string; name: string }) {
  return new SignJWT({ email: tenant.email, name: tenant.name })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(tenant.id)
    .setIssuedAt()
    .setExpirationTime('10m')
    .setAudience('mail-server-settings') // checked when TENANT_TOKEN_AUDIENCE is set
    .setIssuer('https://portal.example') // checked when TENANT_TOKEN_ISSUER is set
    .sign(new TextEncoder().encode(secret));
}
