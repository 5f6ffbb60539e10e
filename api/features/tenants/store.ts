import { and, eq } from 'drizzle-orm';
import { deliveries, tenants, type DeliveryRow } from '../../db/schema.ts';
import type { Database } from '../../db/database.ts';

/** Creates the tenant or updates its name and address (the host application owns both). */
export async function putTenant(db: Database, id: string, profile: { name: string; email: string }, now: Date) {
  const { name, email } = profile;
  await db
    .insert(tenants)
    .values({ id, name, email, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: tenants.id, set: { name, email, updatedAt: now } });
}

export async function readDelivery(db: Database, tenantId: string, id: string): Promise<DeliveryRow | undefined> {
  const rows = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.tenantId, tenantId), eq(deliveries.id, id)));
  return rows[0];
}
