import { tenants } from '../../db/schema.ts';
import type { Database } from '../../db/database.ts';

/** Creates the tenant or updates its name and address (the host application owns both). */
export async function putTenant(db: Database, id: string, profile: { name: string; email: string }, now: Date) {
  const { name, email } = profile;
  await db
    .insert(tenants)
    .values({ id, name, email, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({ target: tenants.id, set: { name, email, updatedAt: now } });
}
