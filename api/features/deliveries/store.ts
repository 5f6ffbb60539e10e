import { and, desc, eq, gt, inArray, isNull, lt, ne, or, type SQL } from 'drizzle-orm';
import { deliveries, type DeliveryRow } from '../../db/schema.ts';
import type { Database } from '../../db/database.ts';
import { BUSINESS_KINDS } from '../../outbox/actions.ts';
import { problemRows } from '../../outbox/notices.ts';

/** What the log lists of a row (never the body or the audit's internals). */
const summaryColumns = {
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
  nextAttemptAt: deliveries.nextAttemptAt,
  createdAt: deliveries.createdAt,
  sentAt: deliveries.sentAt,
};

export type DeliveryListRow = Pick<DeliveryRow, keyof typeof summaryColumns>;

export interface DeliveryFilter {
  kind?: 'business' | 'test';
  statuses?: DeliveryRow['status'][];
}

/** The tenant's own deliveries, newest first, keyset-paginated by (created_at, id); notices are not listed. */
export async function listDeliveries(
  db: Database,
  tenantId: string,
  limit: number,
  after?: { createdAt: Date; id: string },
  filter: DeliveryFilter = {},
): Promise<DeliveryListRow[]> {
  const kind: SQL =
    filter.kind === 'business'
      ? inArray(deliveries.kind, [...BUSINESS_KINDS])
      : filter.kind === 'test'
        ? eq(deliveries.kind, 'test')
        : ne(deliveries.kind, 'notice');
  return db
    .select(summaryColumns)
    .from(deliveries)
    .where(
      and(
        eq(deliveries.tenantId, tenantId),
        kind,
        filter.statuses ? inArray(deliveries.status, filter.statuses) : undefined,
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

/** Problems shown this long (a banner about last month's mail helps nobody). */
export const PROBLEM_WINDOW_MS = 30 * 24 * 60 * 60_000;

/** The tenant's business mails that failed or went through the fallback and were not acknowledged, newest first. */
export async function unacknowledgedProblems(db: Database, tenantId: string, now: Date, limit = 50) {
  return db
    .select(summaryColumns)
    .from(deliveries)
    .where(
      and(
        eq(deliveries.tenantId, tenantId),
        problemRows,
        isNull(deliveries.acknowledgedAt),
        gt(deliveries.createdAt, new Date(now.getTime() - PROBLEM_WINDOW_MS)),
      ),
    )
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(limit);
}

/** Marks these of the tenant's problems as seen (others' ids and non-problems are left alone); returns the ids marked. */
export async function acknowledgeProblems(db: Database, tenantId: string, ids: string[], now: Date) {
  const rows = await db
    .update(deliveries)
    .set({ acknowledgedAt: now })
    .where(
      and(
        eq(deliveries.tenantId, tenantId),
        inArray(deliveries.id, ids),
        problemRows,
        isNull(deliveries.acknowledgedAt),
      ),
    )
    .returning({ id: deliveries.id });
  return rows.map((r) => r.id);
}
