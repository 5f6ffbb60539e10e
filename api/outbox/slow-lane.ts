// Workers only (Node keeps tenants apart in its own scheduler, api/node/outbox.ts). Miniflare's
// queue runs one batch at a time and a production consumer has a bounded concurrency, so a batch
// held by a server that never answers holds everybody's invoices behind it. A tenant whose server
// stalled is marked for a while: its deliveries then go on the slow queue, whose batches hold only
// such servers' mail, until a save or a slow batch that gets through clears the mark.
import { and, eq, isNotNull } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { mailServers, type MailServerRow } from '../db/schema.ts';
import type { Lane } from './enqueue.ts';

/** How long a stalled server's mail stays on the slow queue (unless it gets through earlier). */
export const SLOW_MARK_MS = 10 * 60_000;

/** True when this main-queue batch must pass the tenant's deliveries on to the slow queue, unsent. */
export function passesToSlowLane(server: MailServerRow | undefined, lane: Lane | undefined, now: Date): boolean {
  return lane === 'main' && server?.slowUntil != null && server.slowUntil.getTime() > now.getTime();
}

/**
 * After a tenant's part of a batch: a stall marks the server (for the settings it was sent with),
 * a slow batch that got through clears the mark. No write in the usual case.
 */
export async function updateSlowMark(
  db: Database,
  server: MailServerRow,
  lane: Lane | undefined,
  stalled: boolean,
  now: Date,
): Promise<void> {
  if (!lane) return;
  const sameSettings = and(eq(mailServers.tenantId, server.tenantId), eq(mailServers.version, server.version));
  if (stalled) {
    await db
      .update(mailServers)
      .set({ slowUntil: new Date(now.getTime() + SLOW_MARK_MS) })
      .where(sameSettings);
  } else if (lane === 'slow' && server.slowUntil) {
    await db
      .update(mailServers)
      .set({ slowUntil: null })
      .where(and(sameSettings, isNotNull(mailServers.slowUntil)));
  }
}
