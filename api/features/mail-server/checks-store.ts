// The tenant's recent checks (issue #19, last-check.ts): read with the settings, recorded with the
// check's delivery row, deleted by a reset. Each statement joins a batch that already runs.
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/database.ts';
import { deliveries, type DeliveryError, mailServerChecks } from '../../db/schema.ts';

/** Checks kept per tenant, newest first: enough for the drafts tried before a save. */
const CHECKS_KEPT = 10;

export const checksOf = (db: Database, tenantId: string) =>
  db
    .select()
    .from(mailServerChecks)
    .where(eq(mailServerChecks.tenantId, tenantId))
    .orderBy(desc(mailServerChecks.checkedAt))
    .limit(CHECKS_KEPT);

/** A reset forgets them (only when it takes place: `condition`, evaluated before the settings go). */
export const deleteChecks = (db: Database, tenantId: string, condition: SQL | undefined) =>
  db.delete(mailServerChecks).where(and(eq(mailServerChecks.tenantId, tenantId), condition));

/** What a verify or test found, for the settings of its fingerprint. */
export interface CheckOutcome {
  fingerprint: string;
  kind: 'verify' | 'test';
  ok: boolean;
  error: DeliveryError | null;
}

/** Which settings a running check is of (known before its session). */
export type CheckKey = Pick<CheckOutcome, 'fingerprint' | 'kind'>;

/**
 * For the batch that ends the check's delivery row, before its update, with that update's guard:
 * the row still `sending`, or marked by a cancel the session finished before; older ones are let go.
 */
export function recordCheckStatements(db: Database, tenantId: string, deliveryId: string, c: CheckOutcome, at: Date) {
  const error = c.error ? JSON.stringify(c.error) : null;
  return [
    db.run(sql`
      INSERT INTO ${mailServerChecks} (tenant_id, fingerprint, kind, ok, checked_at, error)
      SELECT ${tenantId}, ${c.fingerprint}, ${c.kind}, ${c.ok ? 1 : 0}, ${at.getTime()}, ${error}
      WHERE EXISTS (SELECT 1 FROM ${deliveries} WHERE id = ${deliveryId} AND tenant_id = ${tenantId}
        AND (status = 'sending' OR json_extract(error, '$.code') = 'cancelled'))
      ON CONFLICT (tenant_id, fingerprint) DO UPDATE SET
        kind = excluded.kind, ok = excluded.ok, checked_at = excluded.checked_at, error = excluded.error`),
    db.run(sql`
      DELETE FROM ${mailServerChecks} WHERE tenant_id = ${tenantId} AND fingerprint NOT IN (
        SELECT fingerprint FROM ${mailServerChecks} WHERE tenant_id = ${tenantId} ORDER BY checked_at DESC LIMIT ${CHECKS_KEPT})`),
  ] as const;
}
