import { and, eq, gt, or, sql } from 'drizzle-orm';
import {
  deliveries,
  mailServers,
  type DeliveryError,
  type MailServerRow,
  type TenantIdentity,
} from '../../db/schema.ts';
import type { Database } from '../../db/database.ts';
import type { OutgoingMessage, SendResult } from '../../smtp/types.ts';
import type { VerifyResult } from '../../smtp/verify.ts';
import { errorSummary } from '../../util/error-summary.ts';
import { upsertTenant } from '../mail-server/store.ts';
import type { Defer } from '../../http/defer.ts';
import { type CheckKey, recordCheckStatements } from '../mail-server/checks-store.ts';

/** At most this many tests per tenant per window, counted in the database (holds across isolates). */
export const TEST_RATE_LIMIT = 5;
export const TEST_RATE_WINDOW_MS = 60_000;

/**
 * Reserves one test in the window, atomically: the row is inserted only while fewer than the
 * limit exist (one statement, so concurrent requests in other isolates cannot overshoot), and,
 * without a draft, only when settings are saved. Its subject is filled in when the test ends.
 */
function reserveTest(db: Database, tenant: TenantIdentity, id: string, now: Date, needsSaved: boolean) {
  const since = now.getTime() - TEST_RATE_WINDOW_MS;
  const recipients = JSON.stringify({ to: [tenant.email], cc: [], bcc: [] });
  const saved = needsSaved ? sql`AND EXISTS (SELECT 1 FROM ${mailServers} WHERE tenant_id = ${tenant.id})` : sql``;
  return db.run(sql`
    INSERT INTO ${deliveries} (id, tenant_id, kind, status, route, recipients, subject, attempts, created_at)
    SELECT ${id}, ${tenant.id}, 'test', 'sending', 'tenant', ${recipients}, '', 0, ${now.getTime()}
    WHERE (SELECT count(*) FROM ${deliveries} WHERE tenant_id = ${tenant.id} AND kind = 'test' AND created_at > ${since}) < ${TEST_RATE_LIMIT}
    ${saved}`);
}

/** One round trip: the tenant upserted, its saved settings read and a test reserved (when the window allows). */
export async function reserveAndRead(
  db: Database,
  tenant: TenantIdentity,
  id: string,
  now: Date,
  needsSaved: boolean,
): Promise<{ saved: MailServerRow | undefined; reserved: boolean }> {
  const [, rows, reserved] = await db.batch([
    upsertTenant(db, tenant, now),
    db.select().from(mailServers).where(eq(mailServers.tenantId, tenant.id)),
    reserveTest(db, tenant, id, now, needsSaved),
  ]);
  return { saved: rows[0], reserved: (reserved as { rowsAffected: number }).rowsAffected > 0 };
}

/** Not tested after all: the reservation does not count. */
export async function dropReservation(db: Database, tenant: TenantIdentity, id: string): Promise<void> {
  await db.delete(deliveries).where(and(eq(deliveries.id, id), eq(deliveries.tenantId, tenant.id)));
}

/** Seconds until the oldest test in the window leaves it. */
export async function retryAfterSeconds(db: Database, tenant: TenantIdentity, now: Date): Promise<number> {
  const since = new Date(now.getTime() - TEST_RATE_WINDOW_MS);
  const rows = await db
    .select({ oldest: sql<number>`min(${deliveries.createdAt})` })
    .from(deliveries)
    .where(and(eq(deliveries.tenantId, tenant.id), eq(deliveries.kind, 'test'), gt(deliveries.createdAt, since)));
  const oldest = Number(rows[0]?.oldest ?? now.getTime());
  return Math.max(1, Math.ceil((oldest + TEST_RATE_WINDOW_MS - now.getTime()) / 1000));
}

const sending = eq(deliveries.status, 'sending');
/** A check the tenant cancelled (markCancelled). */
const cancelledRow = sql`json_extract(${deliveries.error}, '$.code') = 'cancelled'`;

/** Ends the reserved row: `sent`, or `failed` with why (`unknown` when there is no result). */
async function recordTest(
  db: Database,
  tenant: TenantIdentity,
  id: string,
  message: OutgoingMessage,
  result: SendResult | VerifyResult | undefined,
  now: () => Date,
  server: DeliveryError['server'],
  check: CheckKey | undefined,
): Promise<void> {
  const outcome = result?.ok
    ? {
        status: 'sent' as const,
        // A verify hands over no message: there is no id, and the reply is the one to RCPT TO.
        messageId: 'messageId' in result ? result.messageId : null,
        smtpResponse: result.response,
        sentAt: now(),
        // A cancel's mark, if the session finished first.
        error: null,
      }
    : {
        status: 'failed' as const,
        error: result
          ? {
              stage: result.error.stage,
              code: result.error.code,
              responseCode: result.error.responseCode,
              response: result.error.response,
              ...(server ? { server } : {}),
            }
          : { stage: 'connect', code: 'unknown', responseCode: null, response: null },
      };
  // A cancel's mark (markCancelled) only asks the session to end: the session records how it did
  // end — cancelled at its stage, or, had it finished first, what really happened (the test e-mail
  // was sent, or may arrive). Only a row ended otherwise (the sweeper's) stays as it is.
  const cancelledHere = result && !result.ok && result.error.code === 'cancelled';
  const update = db
    .update(deliveries)
    .set({ subject: message.subject, attempts: 1, ...outcome })
    .where(and(eq(deliveries.id, id), eq(deliveries.tenantId, tenant.id), or(sending, cancelledRow)));
  // Issue #19: what the check found, for GET's lastCheck, in the batch that ends its row; nothing
  // for a check that threw or was cancelled (recordCheckStatements has the row's guard too).
  if (!check || !result || cancelledHere) {
    await update;
    return;
  }
  const found = { ...check, ok: result.ok, error: outcome.error ?? null };
  await db.batch([...recordCheckStatements(db, tenant.id, id, found, now()), update]);
}

/** What a cancel found: the check still ran (now marked), had ended, or is no test row of this tenant. */
export type CancelOutcome = 'cancelled' | 'finished' | 'unknown';

/**
 * Marks the tenant's running check as cancelled, in one guarded statement: only a row still
 * `sending` changes, so a finished check keeps its outcome and a second cancel changes nothing.
 */
export async function markCancelled(db: Database, tenant: TenantIdentity, id: string): Promise<CancelOutcome> {
  const own = and(eq(deliveries.id, id), eq(deliveries.tenantId, tenant.id), eq(deliveries.kind, 'test'));
  const [marked, rows] = await db.batch([
    db
      .update(deliveries)
      .set({
        status: 'failed',
        attempts: 1,
        error: { stage: 'connect', code: 'cancelled', responseCode: null, response: null },
      })
      .where(and(own, sending)),
    db.select({ id: deliveries.id }).from(deliveries).where(own),
  ]);
  if ((marked as { rowsAffected: number }).rowsAffected > 0) return 'cancelled';
  return rows.length > 0 ? 'finished' : 'unknown';
}

/** Whether the check's row is still open (not cancelled or ended by another request). */
export async function stillSending(db: Database, id: string): Promise<boolean> {
  const rows = await db.select({ status: deliveries.status }).from(deliveries).where(eq(deliveries.id, id));
  return rows[0]?.status === 'sending';
}

/**
 * Sends the test mail and ends its reserved row (`sending`) in every case: `sent`, or `failed`
 * with why — `unknown` when sending threw instead of reporting an SMTP error (the throw goes on).
 * With `defer` (Workers: `waitUntil`), that update runs after the response instead of before it
 * (started on the next turn of the event loop); it is tried a second time if it fails, and a
 * failure that remains is logged (nobody awaits it any more).
 */
export async function sendAndRecordTest<R extends SendResult | VerifyResult>(
  db: Database,
  tenant: TenantIdentity,
  id: string,
  message: OutgoingMessage,
  send: (message: OutgoingMessage) => Promise<R>,
  now: () => Date,
  defer?: Defer,
  /** The server tested, named in the stored error's message. */
  server?: DeliveryError['server'],
  /** Recorded as the last check of these settings (checks-store.ts). */
  check?: CheckKey,
): Promise<R> {
  let result: R | undefined;
  try {
    result = await send(message);
    return result;
  } finally {
    const record = () => recordTest(db, tenant, id, message, result, now, server, check);
    if (defer) {
      // Started on the next turn, so that building and sending the update does not delay the response.
      defer(
        new Promise((resolve) => setTimeout(resolve, 0))
          .then(record)
          .catch(() => record())
          .catch((error: unknown) =>
            console.error(`test delivery ${id}: recording the outcome failed: ${errorSummary(error)}`),
          ),
      );
    } else {
      await record();
    }
  }
}
