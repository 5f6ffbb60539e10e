// Being told: the tenant gets one notice mail per cause and day about business mail that failed
// for good or went out through the fallback. Derived from the rows on each sweep: the notice is a
// delivery itself (kind `notice`, pinned on the system relay), stored once per tenant, cause and
// day by its idempotency key, and it names the rows it lists, so a crash anywhere loses nothing
// and sends nothing twice.

import { and, eq, gt, inArray, isNull, or, type SQL } from 'drizzle-orm';
import { deliveries, mailServers, tenants } from '../db/schema.ts';
import type { Database } from '../db/database.ts';
import { noticeText, type NoticeCause } from '../i18n/delivery-notice.ts';
import type { Lang } from '../i18n/lang.ts';
import { BUSINESS_KINDS, dropStaleBodies } from './actions.ts';
import { insertDelivery } from './accept.ts';
import type { DeliveryRef } from './enqueue.ts';

const failedRows = eq(deliveries.status, 'failed');
const fallbackRows = and(eq(deliveries.status, 'sent'), eq(deliveries.route, 'system-fallback'));

/** In SQL: a business mail the tenant is told about (failed for good, or sent through the fallback). */
export const problemRows: SQL = and(inArray(deliveries.kind, [...BUSINESS_KINDS]), or(failedRows, fallbackRows))!;

/** Rows this old are not told about any more (mail retries for hours, not days). */
export const NOTICE_WINDOW_MS = 3 * 24 * 60 * 60_000;

/** At most this many mails in one notice; the rest come the next day. */
const NOTICE_ITEMS = 50;

/** The sweep's follow-ups: lets go of stale bodies and stores today's notices; returns the notices to enqueue. */
export async function tenantFollowUps(db: Database, now: Date): Promise<DeliveryRef[]> {
  await dropStaleBodies(db, now);
  const rows = await db
    .select({
      id: deliveries.id,
      tenantId: deliveries.tenantId,
      status: deliveries.status,
      subject: deliveries.subject,
      recipients: deliveries.recipients,
      createdAt: deliveries.createdAt,
      email: tenants.email,
      // The language the settings were saved in (none: saved before it was stored, or reset since).
      lang: mailServers.lang,
    })
    .from(deliveries)
    .innerJoin(tenants, eq(tenants.id, deliveries.tenantId))
    .leftJoin(mailServers, eq(mailServers.tenantId, deliveries.tenantId))
    .where(
      and(
        problemRows,
        isNull(deliveries.noticeId),
        gt(deliveries.createdAt, new Date(now.getTime() - NOTICE_WINDOW_MS)),
      ),
    )
    .orderBy(deliveries.createdAt)
    .limit(500);
  const groups = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = `${row.tenantId}\n${row.status === 'failed' ? 'failed' : 'fallback'}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const queued: DeliveryRef[] = [];
  for (const [key, group] of groups) {
    const [tenantId = '', cause] = key.split('\n') as [string, NoticeCause];
    const to = { email: group[0]!.email, lang: group[0]!.lang };
    const ref = await storeNotice(db, tenantId, to, cause, group.slice(0, NOTICE_ITEMS), now);
    if (ref) queued.push(ref);
  }
  return queued;
}

/** Stores the tenant's notice for this cause today (unless there is one) and marks the rows it lists. */
async function storeNotice(
  db: Database,
  tenantId: string,
  { email, lang }: { email: string; lang: Lang | null },
  cause: NoticeCause,
  items: { id: string; subject: string; recipients: { to: string[]; cc: string[]; bcc: string[] }; createdAt: Date }[],
  now: Date,
): Promise<DeliveryRef | null> {
  const { subject, text } = noticeText(
    cause,
    items.map((i) => ({
      subject: i.subject,
      recipients: [...i.recipients.to, ...i.recipients.cc],
      createdAt: i.createdAt,
    })),
    lang,
  );
  const { row, created } = await insertDelivery(
    db,
    {
      id: crypto.randomUUID(),
      tenantId,
      kind: 'notice',
      status: 'queued',
      route: 'system',
      routePinned: true,
      recipients: { to: [email], cc: [], bcc: [] },
      subject,
      // The rows it lists: a sweep after a crash marks exactly these, never rows it did not name.
      reference: JSON.stringify(items.map((i) => i.id)),
      idempotencyKey: `notice:${cause}:${now.toISOString().slice(0, 10)}`,
      createdAt: now,
    },
    { text, attachments: [] },
  );
  const listed = JSON.parse(row.reference ?? '[]') as string[];
  if (listed.length > 0)
    await db
      .update(deliveries)
      .set({ noticeId: row.id })
      .where(and(eq(deliveries.tenantId, tenantId), inArray(deliveries.id, listed), isNull(deliveries.noticeId)));
  return created ? { id: row.id, tenantId } : null;
}
