import { and, eq } from 'drizzle-orm';
import { deliveries, type DeliveryError, type TenantIdentity } from '../../db/schema.ts';
import type { Database } from '../../db/database.ts';

/**
 * Ends the test reservation a probe took (test-send/store.ts reserves it): `sent` when a server
 * answered, else `failed` with the first probe's stage and code. No mail was sent; the subject says so.
 */
export async function recordProbe(
  db: Database,
  tenant: TenantIdentity,
  id: string,
  subject: string,
  outcome: { answered: string | null; error: DeliveryError | null },
): Promise<void> {
  const set = outcome.answered
    ? { status: 'sent' as const, smtpResponse: outcome.answered }
    : { status: 'failed' as const, error: outcome.error };
  await db
    .update(deliveries)
    .set({ subject, attempts: 1, ...set })
    .where(and(eq(deliveries.id, id), eq(deliveries.tenantId, tenant.id)));
}
