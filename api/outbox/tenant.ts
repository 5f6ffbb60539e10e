import { eq } from 'drizzle-orm';
import { mailServers, tenants } from '../db/schema.ts';
import type { Database } from '../db/database.ts';

/** The tenant and its mail server (if any), in one round trip. */
export async function readTenantWithServer(db: Database, tenantId: string) {
  const [tenantRows, serverRows] = await db.batch([
    db.select().from(tenants).where(eq(tenants.id, tenantId)),
    db.select().from(mailServers).where(eq(mailServers.tenantId, tenantId)),
  ]);
  return { tenant: tenantRows[0], server: serverRows[0] };
}
