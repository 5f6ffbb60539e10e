import type { TenantIdentity } from '../db/schema.ts';

/** From and Reply-To of a message sent for a tenant. */
export interface Sender {
  from: { address: string; name: string };
  replyTo: string;
}

/** The tenant's sender overrides (a saved row, or a draft); null or absent = the tenant's own. */
export interface SenderOverrides {
  fromAddress?: string | null;
  fromName?: string | null;
  replyTo?: string | null;
}

export type TenantProfile = Pick<TenantIdentity, 'email' | 'name'>;

/** Tenant route: From = override, else the tenant's address and name; Reply-To = override, else the tenant's address. */
export function tenantSender(tenant: TenantProfile, server: SenderOverrides | null | undefined): Sender {
  return {
    from: { address: server?.fromAddress ?? tenant.email, name: server?.fromName ?? tenant.name },
    replyTo: server?.replyTo ?? tenant.email,
  };
}

/**
 * System relay: From = the system address with the tenant's name (the tenant's
 * SPF/DMARC are not claimed); Reply-To = the tenant's, with its override when `server` is given
 * (a fallback from the tenant's own server).
 */
export function systemSender(systemFrom: string, tenant: TenantProfile, server?: SenderOverrides | null): Sender {
  return {
    from: { address: systemFrom, name: tenant.name },
    replyTo: tenantSender(tenant, server).replyTo,
  };
}
