import { and, desc, eq, lt, or } from 'drizzle-orm';
import { deliveries } from '../../db/schema.ts';
import type { Database } from '../../db/database.ts';

/** The tenant's own deliveries, newest first, keyset-paginated by (created_at, id). */
export async function listDeliveries(
  db: Database,
  tenantId: string,
  limit: number,
  after?: { createdAt: Date; id: string },
) {
  return db
    .select({
      id: deliveries.id,
      kind: deliveries.kind,
      status: deliveries.status,
      route: deliveries.route,
      recipients: deliveries.recipients,
      subject: deliveries.subject,
      attempts: deliveries.attempts,
      smtpResponse: deliveries.smtpResponse,
      error: deliveries.error,
      fallbackReason: deliveries.fallbackReason,
      createdAt: deliveries.createdAt,
      sentAt: deliveries.sentAt,
    })
    .from(deliveries)
    .where(
      and(
        eq(deliveries.tenantId, tenantId),
        after
          ? or(
              lt(deliveries.createdAt, after.createdAt),
              and(eq(deliveries.createdAt, after.createdAt), lt(deliveries.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(limit);
}
