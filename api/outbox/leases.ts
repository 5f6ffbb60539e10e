import { and, eq, gt, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { deliveries, type DeliveryRow } from '../db/schema.ts';
import type { Database } from '../db/database.ts';

/**
 * A row still taken up again this long after it was accepted, without ever having reached a
 * server, is not going to be sent: something kills every batch that holds it before its turn. It
 * ends `interrupted` instead of being taken up forever. Far beyond the retry budgets (about 2 h per
 * route).
 */
export const MAX_UNSENT_AGE_MS = 24 * 60 * 60_000;

/** A cut-off attempt (lease ran out, the process died) that may be taken up again; failTwiceInterrupted ends the others. */
export const resumable = (now: Date) =>
  and(
    eq(deliveries.status, 'sending'),
    or(
      // It had handed the message over: resent once, never more.
      and(eq(deliveries.handedOver, true), eq(deliveries.interruptions, 0)),
      // It had not: nothing can have been sent, so it is simply taken up again (for a while).
      and(eq(deliveries.handedOver, false), gt(deliveries.createdAt, new Date(now.getTime() - MAX_UNSENT_AGE_MS))),
    ),
  );

/** How often a running batch renews its lease: every third of it, but at most 30 s apart. */
export const renewEveryMs = (leaseMs: number) => Math.max(100, Math.min(Math.floor(leaseMs / 3), 30_000));

/** How late a renewal may be (a slow database, a busy process) before its holder counts as gone. */
export const RENEWAL_GRACE_MS = 20_000;

/**
 * A `sending` row whose holder is gone: its lease ran out, or, for a row not handed to a server
 * yet, one renewal was missed (`leaseUntil - leaseMs` is the last renewal). Such a row can have
 * reached no server, so it is taken up within a minute instead of after the whole lease; its old
 * holder, should it wake up, cannot mark it handed over any more (the mark needs its token).
 */
export const holderGone = (now: Date, leaseMs: number) =>
  or(
    lt(deliveries.leaseUntil, now),
    and(
      eq(deliveries.handedOver, false),
      lt(deliveries.leaseUntil, new Date(now.getTime() + leaseMs - renewEveryMs(leaseMs) - RENEWAL_GRACE_MS)),
    ),
  );

const claimable = (now: Date, leaseMs: number) =>
  or(
    eq(deliveries.status, 'queued'),
    and(eq(deliveries.status, 'retrying'), or(isNull(deliveries.nextAttemptAt), lte(deliveries.nextAttemptAt, now))),
    and(holderGone(now, leaseMs), resumable(now)),
  );

/**
 * Takes the given deliveries for one attempt (one statement): only those that are due and not
 * held by another attempt. Rows resumed after a cut-off attempt that had handed them to a server
 * count an interruption. `token` marks this attempt as the holder: a later claim (once the holder
 * is gone, see holderGone) replaces it, and the old holder can then neither extend the lease,
 * hand the row to a server nor record an outcome.
 */
export async function claimDeliveries(
  db: Database,
  ids: string[],
  now: Date,
  leaseMs: number,
  token: string,
): Promise<DeliveryRow[]> {
  if (ids.length === 0) return [];
  return db
    .update(deliveries)
    .set({
      status: 'sending',
      // A cut-off attempt that never reached a server was no attempt: this claim takes its count.
      attempts: sql`${deliveries.attempts} + 1 - (${deliveries.status} = 'sending' and not ${deliveries.handedOver})`,
      interruptions: sql`${deliveries.interruptions} + (${deliveries.status} = 'sending' and ${deliveries.handedOver})`,
      handedOver: false,
      leaseUntil: new Date(now.getTime() + leaseMs),
      claimToken: token,
    })
    .where(and(inArray(deliveries.id, ids), claimable(now, leaseMs)))
    .returning();
}

export const heldBy = (token: string) => and(eq(deliveries.status, 'sending'), eq(deliveries.claimToken, token));

/** Extends the lease of the rows this attempt still holds; returns the ids it still holds. */
export async function extendLeases(db: Database, ids: string[], token: string, until: Date): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .update(deliveries)
    .set({ leaseUntil: until })
    .where(and(inArray(deliveries.id, ids), heldBy(token)))
    .returning({ id: deliveries.id });
  return rows.map((r) => r.id);
}

/** Gives claimed deliveries back untouched (nothing was handed to a server), e.g. when the database failed. */
export async function releaseClaims(db: Database, ids: string[], now: Date, token: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(deliveries)
    .set({
      status: 'retrying',
      attempts: sql`${deliveries.attempts} - 1`,
      leaseUntil: null,
      claimToken: null,
      nextAttemptAt: now,
      handedOver: false,
    })
    .where(and(inArray(deliveries.id, ids), heldBy(token)));
}
