import { and, desc, eq, gt, inArray, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import {
  deliveries,
  deliveryPayloadChunks,
  mailServers,
  tenants,
  type AttemptLogEntry,
  type DeliveryError,
} from '../db/schema.ts';
import type { Database } from '../env.ts';
import { makeMessageId, messageIdRandom } from '../mail/message-id.ts';
import { tenantSender } from '../settings/sender.ts';

export type DeliveryRow = typeof deliveries.$inferSelect;
export type NewDelivery = typeof deliveries.$inferInsert;

/** What is stored of a message until it has been sent (recipients and subject have columns). */
export interface StoredPayload {
  text?: string;
  html?: string;
  attachments: { filename: string; contentType: string; content: string }[];
}

/** A `queued` row older than this was never picked up (the enqueue was lost): the sweeper re-enqueues it. */
export const QUEUED_GRACE_MS = 30_000;

/** The tenant and its mail server (if any), in one round trip. */
export async function readTenantWithServer(db: Database, tenantId: string) {
  const [tenantRows, serverRows] = await db.batch([
    db.select().from(tenants).where(eq(tenants.id, tenantId)),
    db.select().from(mailServers).where(eq(mailServers.tenantId, tenantId)),
  ]);
  return { tenant: tenantRows[0], server: serverRows[0] };
}

/** Chunk size of stored payloads: well below the largest single value libSQL accepts (a few MiB). */
const CHUNK_CHARS = 1024 * 1024;

/** Splits text into pieces of at most `size` UTF-16 units without cutting a surrogate pair in half. */
export function chunkText(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let start = 0; start < text.length || chunks.length === 0; ) {
    let end = Math.min(text.length, start + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1; // keep the pair together
    chunks.push(text.slice(start, end));
    start = end;
  }
  return chunks;
}

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
  const chunks = chunkText(JSON.stringify(payload), CHUNK_CHARS);
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

export async function readDelivery(db: Database, tenantId: string, id: string): Promise<DeliveryRow | undefined> {
  const rows = await db
    .select()
    .from(deliveries)
    .where(and(eq(deliveries.tenantId, tenantId), eq(deliveries.id, id)));
  return rows[0];
}

/**
 * A row still taken up again this long after it was accepted, without ever having reached a
 * server, is not going to be sent: something kills every batch that holds it before its turn. It
 * ends `interrupted` instead of being taken up forever. Far beyond the retry budgets (about 2 h per
 * route).
 */
export const MAX_UNSENT_AGE_MS = 24 * 60 * 60_000;

/** A cut-off attempt (lease ran out, the process died) that may be taken up again; failTwiceInterrupted ends the others. */
const resumable = (now: Date) =>
  and(
    eq(deliveries.status, 'sending'),
    or(
      // It had handed the message over: resent once, never more.
      and(eq(deliveries.handedOver, true), eq(deliveries.interruptions, 0)),
      // It had not: nothing can have been sent, so it is simply taken up again (for a while).
      and(eq(deliveries.handedOver, false), gt(deliveries.createdAt, new Date(now.getTime() - MAX_UNSENT_AGE_MS))),
    ),
  );

const claimable = (now: Date) =>
  and(
    or(
      and(eq(deliveries.status, 'queued')),
      and(eq(deliveries.status, 'retrying'), or(isNull(deliveries.nextAttemptAt), lte(deliveries.nextAttemptAt, now))),
      and(lt(deliveries.leaseUntil, now), resumable(now)),
    ),
  );

/**
 * Takes the given deliveries for one attempt (one statement): only those that are due and not
 * held by another attempt. Rows resumed after a cut-off attempt that had handed them to a server
 * count an interruption. `token`
 * marks this attempt as the holder: a later claim (after the lease ran out) replaces it, and the
 * old holder can then neither extend the lease nor record an outcome.
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
    .where(and(inArray(deliveries.id, ids), claimable(now)))
    .returning();
}

const heldBy = (token: string) => and(eq(deliveries.status, 'sending'), eq(deliveries.claimToken, token));

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

export interface AttemptOutcome {
  status: 'sent' | 'retrying' | 'failed';
  route: DeliveryRow['route'];
  smtpResponse?: string | null;
  error?: DeliveryError | null;
  fallbackReason?: DeliveryError | null;
  acceptedRecipients?: string[] | null;
  /** Set when this attempt handed the message to the system relay after the tenant route failed. */
  fallbackAtAttempt?: number;
  /** The server got the message but gave no verdict: counts like an attempt cut off mid-send. */
  interrupted?: boolean;
  nextAttemptAt?: Date | null;
  sentAt?: Date | null;
}

/**
 * libSQL answers at most 10 MB per response (sqld's and Turso's default): payloads are read in
 * pages of at most this many UTF-8 bytes, which JSON escaping (quotes, backslashes) can at most
 * double on the wire. A single chunk (1 Mi UTF-16 units, at most 3 MiB of UTF-8) always fits.
 */
const READ_PAGE_BYTES = 4 * 1024 * 1024;

/** The stored size (UTF-8 bytes) of one chunk of a delivery's payload JSON. */
export interface ChunkSize {
  deliveryId: string;
  seq: number;
  size: number;
}

/** The chunk sizes of these deliveries' payloads, ordered by delivery and sequence. */
export async function chunkSizes(db: Database, ids: string[]): Promise<ChunkSize[]> {
  const sizes: ChunkSize[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    sizes.push(
      ...(await db
        .select({
          deliveryId: deliveryPayloadChunks.deliveryId,
          seq: deliveryPayloadChunks.seq,
          size: sql<number>`length(cast(${deliveryPayloadChunks.chunk} as blob))`,
        })
        .from(deliveryPayloadChunks)
        .where(inArray(deliveryPayloadChunks.deliveryId, ids.slice(i, i + 100)))
        .orderBy(deliveryPayloadChunks.deliveryId, deliveryPayloadChunks.seq)),
    );
  }
  return sizes;
}

/**
 * The stored payloads of these deliveries, by id: the chunks in pages below libSQL's response
 * limit. `known` = chunk sizes read before (chunkSizes) for these rows or more; else they are read here.
 */
export async function readPayloads(
  db: Database,
  ids: string[],
  known?: ChunkSize[],
): Promise<Map<string, StoredPayload>> {
  const payloads = new Map<string, StoredPayload>();
  if (ids.length === 0) return payloads;
  const wanted = new Set(ids);
  const sizes = known ? known.filter((c) => wanted.has(c.deliveryId)) : await chunkSizes(db, ids);
  const pages: (typeof sizes)[] = [];
  let pageBytes = Infinity;
  for (const entry of sizes) {
    if (pageBytes + entry.size > READ_PAGE_BYTES) {
      pages.push([]);
      pageBytes = 0;
    }
    pages[pages.length - 1]!.push(entry);
    pageBytes += entry.size;
  }
  const texts = new Map<string, string>();
  for (const page of pages) {
    const keys = page.map((e) => sql`(${e.deliveryId}, ${e.seq})`);
    const rows = await db
      .select()
      .from(deliveryPayloadChunks)
      .where(
        sql`(${deliveryPayloadChunks.deliveryId}, ${deliveryPayloadChunks.seq}) in (values ${sql.join(keys, sql`, `)})`,
      )
      .orderBy(deliveryPayloadChunks.deliveryId, deliveryPayloadChunks.seq);
    for (const row of rows) texts.set(row.deliveryId, (texts.get(row.deliveryId) ?? '') + row.chunk);
  }
  for (const [id, text] of texts) payloads.set(id, JSON.parse(text) as StoredPayload);
  return payloads;
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

/**
 * The statements that record the end of an attempt; a message that has ended (sent or failed)
 * gives up its stored body. Only the holder of the claim may: the first statement returns the row
 * only when this attempt still held it.
 */
function outcomeStatements(db: Database, id: string, outcome: AttemptOutcome, now: Date, token: string) {
  // Every attempt keeps its reply in the log; a fallback attempt logs the tenant route's failure first.
  const at = now.toISOString();
  const log: AttemptLogEntry[] = [
    ...(outcome.fallbackReason
      ? [{ at, route: 'tenant' as const, status: 'failed' as const, response: null, error: outcome.fallbackReason }]
      : []),
    {
      at,
      route: outcome.route ?? 'system',
      status: outcome.status,
      response: outcome.smtpResponse ?? null,
      error: outcome.error ?? null,
    },
  ];
  const appended = sql`json_insert(coalesce(${deliveries.attemptLog}, '[]'), ${sql.join(
    log.map((entry) => sql`'$[#]', json(${JSON.stringify(entry)})`),
    sql`, `,
  )})`;
  const update = db
    .update(deliveries)
    .set({
      status: outcome.status,
      route: outcome.route,
      smtpResponse: outcome.smtpResponse ?? null,
      error: outcome.error ?? null,
      ...(outcome.fallbackReason !== undefined ? { fallbackReason: outcome.fallbackReason } : {}),
      ...(outcome.acceptedRecipients !== undefined ? { acceptedRecipients: outcome.acceptedRecipients } : {}),
      ...(outcome.fallbackAtAttempt !== undefined ? { fallbackAtAttempt: outcome.fallbackAtAttempt } : {}),
      // A route taken up in this attempt has the whole retry budget from here (the old route is read).
      routeSinceAttempt: sql`case when ${deliveries.route} is ${outcome.route} then ${deliveries.routeSinceAttempt} else ${deliveries.attempts} end`,
      ...(outcome.interrupted ? { interruptions: sql`${deliveries.interruptions} + 1` } : {}),
      nextAttemptAt: outcome.nextAttemptAt ?? null,
      sentAt: outcome.sentAt ?? null,
      leaseUntil: null,
      claimToken: null,
      attemptLog: appended,
    })
    .where(and(eq(deliveries.id, id), heldBy(token)))
    .returning({ id: deliveries.id });
  if (outcome.status === 'retrying') return [update] as const;
  // The body goes only if this attempt really ended the row.
  return [
    update,
    db
      .delete(deliveryPayloadChunks)
      .where(
        and(
          eq(deliveryPayloadChunks.deliveryId, id),
          sql`exists (select 1 from ${deliveries} where ${deliveries.id} = ${id} and ${deliveries.status} in ('sent', 'failed'))`,
        ),
      ),
  ] as const;
}

/** Records the end of an attempt; false when another attempt took the row over meanwhile. */
export async function recordOutcome(
  db: Database,
  id: string,
  outcome: AttemptOutcome,
  now: Date,
  token: string,
): Promise<boolean> {
  return (await recordAndHandOver(db, { id, outcome }, null, now, token)).recorded;
}

/**
 * One write for a sending slot: the outcome of the row it sent last (if any), and the row it
 * sends next marked as handed over (if any) — so marking costs no round trip of its own. Each
 * part only for a row this attempt still holds. A row still without Message-ID (see
 * assignMessageId) gets `messageId` here, before anything is sent; `messageId` in the result is
 * the one to send it with.
 */
export async function recordAndHandOver(
  db: Database,
  record: { id: string; outcome: AttemptOutcome } | null,
  handOver: { id: string; messageId: string } | null,
  now: Date,
  token: string,
): Promise<{ recorded: boolean; handedOver: { messageId: string | null } | null }> {
  const statements: BatchItem<'sqlite'>[] = record
    ? [...outcomeStatements(db, record.id, record.outcome, now, token)]
    : [];
  if (handOver) {
    statements.push(
      db
        .update(deliveries)
        .set({ handedOver: true, messageId: sql`coalesce(${deliveries.messageId}, ${handOver.messageId})` })
        .where(and(eq(deliveries.id, handOver.id), heldBy(token)))
        .returning({ messageId: deliveries.messageId }),
    );
  }
  if (statements.length === 0) return { recorded: false, handedOver: null };
  const results = (await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])) as unknown[];
  const returned = (result: unknown) =>
    Array.isArray(result) && result.length > 0 ? (result[0] as { messageId?: string | null }) : null;
  const marked = handOver ? returned(results[results.length - 1]) : null;
  return {
    recorded: record ? returned(results[0]) !== null : false,
    handedOver: marked && { messageId: marked.messageId ?? null },
  };
}

/** Ids the sweeper must (re-)enqueue: lost enqueues, due retries, attempts cut off mid-send. */
export async function dueDeliveryIds(db: Database, now: Date, limit = 500): Promise<string[]> {
  const rows = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(
      or(
        and(eq(deliveries.status, 'queued'), lt(deliveries.createdAt, new Date(now.getTime() - QUEUED_GRACE_MS))),
        and(eq(deliveries.status, 'retrying'), lte(deliveries.nextAttemptAt, now)),
        and(eq(deliveries.status, 'sending'), lt(deliveries.leaseUntil, now)),
      ),
    )
    .orderBy(deliveries.createdAt)
    .limit(limit);
  return rows.map((r) => r.id);
}

/**
 * Cut-off attempts that may not be taken up again (see `resumable`): cut off twice after handing the
 * message over (a resend would risk a third copy), or still never sent MAX_UNSENT_AGE_MS after acceptance.
 * They end `failed` with a reason that tells the tenant to check whether the mail arrived.
 */
export async function failTwiceInterrupted(db: Database, now: Date): Promise<number> {
  const rows = await db
    .update(deliveries)
    .set({
      status: 'failed',
      error: { stage: 'data', code: 'interrupted', responseCode: null, response: null },
      leaseUntil: null,
      claimToken: null,
    })
    .where(and(eq(deliveries.status, 'sending'), lt(deliveries.leaseUntil, now), sql`not ${resumable(now)}`))
    .returning({ id: deliveries.id });
  if (rows.length > 0)
    await db.delete(deliveryPayloadChunks).where(
      inArray(
        deliveryPayloadChunks.deliveryId,
        rows.map((r) => r.id),
      ),
    );
  return rows.length;
}

/** A test send takes at most 30 s; one still `sending` after this was cut off (its process died). */
export const ABANDONED_TEST_MS = 2 * 60_000;

/** Ends test sends whose process died before recording the result (tests are not retried). */
export async function failAbandonedTests(db: Database, now: Date): Promise<number> {
  const rows = await db
    .update(deliveries)
    .set({
      status: 'failed',
      error: { stage: 'connect', code: 'test_interrupted', responseCode: null, response: null },
    })
    .where(
      and(
        eq(deliveries.kind, 'test'),
        eq(deliveries.status, 'sending'),
        lt(deliveries.createdAt, new Date(now.getTime() - ABANDONED_TEST_MS)),
      ),
    )
    .returning({ id: deliveries.id });
  return rows.length;
}

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
