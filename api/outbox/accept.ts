import { and, eq, sql, type SQL } from 'drizzle-orm';
import {
  deliveries,
  deliveryPayloadChunks,
  mailServers,
  tenants,
  type DeliveryRow,
  type NewDelivery,
} from '../db/schema.ts';
import type { Database } from '../db/database.ts';
import { makeMessageId, messageIdRandom } from '../smtp/message-id.ts';
import { tenantSender } from '../sending/sender.ts';
import { type StoredPayload, CHUNK_CHARS, chunkText, payloadJson } from './chunks.ts';
import { readTenantWithServer } from './tenant.ts';

/** The operator named a tenant that does not exist (POST /v1/tenants/:id/messages → 404). */
export class TenantNotFoundError extends Error {
  constructor(tenantId: string) {
    super(`tenant ${tenantId} not found`);
  }
}

/**
 * In SQL, the Message-ID `makeMessageId(sender, random)` makes, for the tenant's sender (the
 * server's From override, else the tenant's address) — when that domain is a plain ASCII host
 * name, whose A-label is its lower case. Anything else (IDN, IP literal, trailing dot, a
 * numeric last label) gives NULL, and JS makes the id (assignMessageId): SQL has no IDNA.
 */
export function messageIdSql(tenantId: string, random: string): SQL {
  const address = sql`a`;
  const domain = sql`substr(${address}, length(rtrim(${address}, replace(${address}, '@', ''))) + 1)`;
  const lastLabel = sql`substr(${domain}, length(rtrim(${domain}, replace(${domain}, '.', ''))) + 1)`;
  const plain = sql`${domain} not glob '*[^-a-zA-Z0-9.]*' and ${domain} not glob '*..*' and ${domain} not glob '.*' and lower(${domain}) not glob '*xn--*' and ${lastLabel} glob '[a-zA-Z]*'`;
  return sql`(select case when ${plain} then '<' || ${random} || '@' || lower(${domain}) || '>' end from (select coalesce(${mailServers.fromAddress}, ${tenants.email}) as a from ${tenants} left join ${mailServers} on ${mailServers.tenantId} = ${tenants.id} where ${tenants.id} = ${tenantId}))`;
}

/**
 * Stores a new delivery with its payload in one round trip, unless the tenant already used
 * this idempotency key (then nothing is written); returns the stored row either way. Without a
 * `messageId` the row gets one on the tenant's sender domain (messageIdSql; NULL when SQL cannot
 * make it, see assignMessageId). Throws TenantNotFoundError when the tenant does not exist.
 */
export async function insertDelivery(
  db: Database,
  row: NewDelivery,
  payload: StoredPayload,
): Promise<{ row: DeliveryRow; created: boolean }> {
  const chunks = chunkText(payloadJson(payload), CHUNK_CHARS);
  let inserted: DeliveryRow[];
  let stored: DeliveryRow[];
  try {
    [inserted, stored] = await db.batch([
      db
        .insert(deliveries)
        .values({
          ...row,
          // NULL for an unknown tenant: the NOT NULL constraint then fails the whole batch.
          tenantId: sql`(select ${tenants.id} from ${tenants} where ${tenants.id} = ${row.tenantId})`,
          messageId: row.messageId ?? messageIdSql(row.tenantId, messageIdRandom()),
        })
        .onConflictDoNothing()
        .returning(),
      // The stored row: the one just written, or the one this key wrote before.
      db
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.tenantId, row.tenantId), eq(deliveries.idempotencyKey, row.idempotencyKey!))),
      // Written only when the delivery row above was (a repeated idempotency key writes nothing).
      ...chunks.map((chunk, seq) =>
        db.run(
          sql`insert into ${deliveryPayloadChunks} (delivery_id, seq, chunk) select ${row.id}, ${seq}, ${chunk} where exists (select 1 from ${deliveries} where id = ${row.id})`,
        ),
      ),
    ]);
  } catch (error) {
    const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, row.tenantId));
    if (!tenant) throw new TenantNotFoundError(row.tenantId);
    throw error;
  }
  if (!stored[0]) throw new Error('delivery insert conflicted but no row was found');
  return { row: stored[0], created: inserted.length > 0 };
}

/**
 * Gives a row without Message-ID (its sender domain needs IDNA, messageIdSql) the one JS makes.
 * Before the row is enqueued, so every attempt sends the same id.
 */
export async function assignMessageId(db: Database, row: DeliveryRow): Promise<DeliveryRow> {
  if (row.messageId) return row;
  const { tenant, server } = await readTenantWithServer(db, row.tenantId);
  if (!tenant) throw new TenantNotFoundError(row.tenantId);
  const [updated] = await db
    .update(deliveries)
    .set({
      messageId: sql`coalesce(${deliveries.messageId}, ${makeMessageId(tenantSender(tenant, server).from.address)})`,
    })
    // A row that was sent meanwhile (by the sweeper) keeps what it was sent with.
    .where(and(eq(deliveries.id, row.id), eq(deliveries.status, 'queued')))
    .returning();
  return updated ?? row;
}
