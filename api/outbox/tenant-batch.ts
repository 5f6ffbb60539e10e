import type { DeliveryRow, MailServerRow } from '../db/schema.ts';
import { makeMessageId } from '../smtp/message-id.ts';
import { buildMailData } from '../smtp/mail-data.ts';
import type { OutgoingMessage } from '../smtp/types.ts';
import type { Sender } from '../sending/sender.ts';
import { errorSummary } from '../util/error-summary.ts';
import { nextAttemptStep, payloadMissing, payloadUnusable, type RouteResult } from './attempt.ts';
import type { StoredPayload } from './chunks.ts';
import type { Claim } from './claim.ts';
import type { OutboxContext } from './deliver.ts';
import type { DeliveryRef } from './enqueue.ts';
import { decodeAttachments, outgoingMessage } from './message.ts';
import type { PayloadLoader } from './payloads.ts';
import { recordAndHandOver, type AttemptOutcome } from './record.ts';
import type { RouteSessions } from './route-sessions.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Stop trying to record this long before the row's lease ends (then the sweeper may take it). */
const RECORD_MARGIN_MS = 5_000;

/**
 * Runs a write of outcomes, retrying while the database is away: a mail that went out must not
 * look cut off (the sweeper would send it again). The rows stay in flight meanwhile, so the claim
 * keeps renewing their lease; tries end a margin before the lease does.
 */
async function withRetries<T>(ctx: OutboxContext, claim: Claim, write: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const wait = Math.min(200 * 2 ** attempt, 10_000);
      // Three tries in any case (short test leases); more only while the lease holds.
      if (attempt >= 2 && ctx.now().getTime() + wait > claim.validUntilMs() - RECORD_MARGIN_MS) throw error;
      await (ctx.sleep ?? sleep)(wait);
    }
  }
}

/** A row a slot sent (or gave up on) whose outcome is not recorded yet. */
interface Ended {
  row: DeliveryRow;
  outcome: AttemptOutcome;
}

/** Where a tenant's part of a batch works: its batch's claim and payloads, and how a row is enqueued again. */
export interface TenantBatchContext {
  ctx: OutboxContext;
  claim: Claim;
  payloads: PayloadLoader;
  requeue: (row: DeliveryRef, delaySeconds: number) => Promise<void>;
}

/** One tenant's part of a batch: its rows, worked through by a few slots over the routes' sessions. */
export class TenantBatch {
  private next = 0;
  private readonly ctx: OutboxContext;
  private readonly claim: Claim;
  private readonly payloads: PayloadLoader;
  private readonly requeue: TenantBatchContext['requeue'];
  private readonly rows: DeliveryRow[];
  private readonly server: MailServerRow | undefined;
  private readonly sessions: RouteSessions;
  private readonly senders: { tenant: Sender; system: Sender };

  constructor(
    { ctx, claim, payloads, requeue }: TenantBatchContext,
    rows: DeliveryRow[],
    server: MailServerRow | undefined,
    sessions: RouteSessions,
    senders: { tenant: Sender; system: Sender },
  ) {
    this.ctx = ctx;
    this.claim = claim;
    this.payloads = payloads;
    this.requeue = requeue;
    this.rows = rows;
    this.server = server;
    this.sessions = sessions;
    this.senders = senders;
  }

  /** The next row, started (counted as in flight); null when no row is left to start. */
  private takeNext(): DeliveryRow | null {
    while (this.next < this.rows.length) {
      const row = this.rows[this.next++]!;
      if (this.claim.start(row.id)) return row;
      this.payloads.release(row.id); // lease not safe, the batch failed or the row was taken over: given back untouched
    }
    return null;
  }

  /**
   * One write: an ended row's outcome and the next row marked as handed over. A row without
   * Message-ID (accepted while its sender needed IDNA, see assignMessageId) gets one when it is
   * marked, so every attempt sends the same.
   */
  private write(record: Ended | null, handOver: DeliveryRow | null) {
    const { ctx, claim } = this;
    const messageId = (row: DeliveryRow) => row.messageId ?? makeMessageId(this.senders.tenant.from.address);
    return withRetries(ctx, claim, () =>
      recordAndHandOver(
        ctx.db,
        record && { id: record.row.id, outcome: record.outcome },
        handOver && { id: handOver.id, messageId: messageId(handOver) },
        ctx.now(),
        claim.token,
        ctx.config.webhooks,
      ),
    );
  }

  /** The outcome is stored (or another attempt had taken the row over): the row is done here. */
  private async settle({ row, outcome }: Ended, recorded: boolean): Promise<void> {
    this.claim.finish(row.id);
    if (!recorded) {
      console.error(
        `delivery ${row.id}: another attempt took it over; this attempt's outcome (${outcome.status}) is not recorded`,
      );
      return;
    }
    if (outcome.status === 'retrying') {
      const delay = Math.max(0, Math.ceil(((outcome.nextAttemptAt?.getTime() ?? 0) - this.ctx.now().getTime()) / 1000));
      await this.requeue(row, delay).catch((e) =>
        console.error(`re-enqueue of ${row.id} failed (the sweeper will pick it up): ${String(e)}`),
      );
    }
  }

  /** Sends a row through the routes the outcome rules ask for, and returns its outcome. */
  private async attempt(row: DeliveryRow, slot: number, payload: StoredPayload): Promise<AttemptOutcome> {
    let attachments: OutgoingMessage['attachments'];
    try {
      attachments = decodeAttachments(payload);
      buildMailData(outgoingMessage(row, payload, attachments, this.senders.tenant, [])); // the header checks, before anything is sent
    } catch (error) {
      console.error(`delivery ${row.id}: the stored message cannot be built, it is not sent: ${errorSummary(error)}`);
      return payloadUnusable(row);
    }
    const results: RouteResult[] = [];
    for (;;) {
      const input = { row, server: this.server, retryDelays: this.ctx.config.outbox.retryDelays, now: this.ctx.now() };
      const step = nextAttemptStep(input, results);
      if ('outcome' in step) return step.outcome;
      const message = outgoingMessage(row, payload, attachments, this.senders[step.send], step.accepted);
      results.push(await this.sessions.send(step.send, slot, message));
    }
  }

  /**
   * One slot: takes rows until none is left, each marked as handed over before it is sent and its
   * outcome written together with the next row's mark.
   */
  async runSlot(slot: number): Promise<void> {
    const { claim, payloads } = this;
    /** A row this slot sent (or gave up on) whose outcome is not written yet. */
    let ended: Ended | null = null;
    /** A row this slot started and has not handed to a server yet. */
    let current: DeliveryRow | null = null;
    try {
      for (;;) {
        current = this.takeNext();
        // From here the write owns it: if the write fails for good, the row is left to the
        // sweeper as cut off after handing over (resent once, with the same Message-ID).
        let last: Ended | null = ended;
        ended = null;
        let payload: StoredPayload | undefined;
        if (current && !payloads.isReady(current.id)) {
          // The next payload has to be read first (and may wait for the shared budget): the last
          // outcome is not kept waiting for it.
          if (last) await this.settle(last, (await this.write(last, null)).recorded);
          last = null;
        }
        // Read before the row is marked: a failed read gives it back untouched (below). Only a
        // read not yet done can fail, and then the last outcome is already written.
        if (current) payload = await payloads.get(current.id);
        // Marked only while the claim allows a hand-over (a mark of a row then given back would
        // count it as interrupted if giving back failed).
        const handOver = current && payload && claim.mayHandOver() ? current : null;
        const written = last || handOver ? await this.write(last, handOver) : null;
        if (last) await this.settle(last, written!.recorded);
        if (!current) return;
        const row = current;
        current = null;
        if (handOver && !written!.handedOver) {
          // Another attempt took the row over meanwhile (our lease had run out): not ours to send.
          claim.finish(row.id);
          payloads.release(row.id);
        } else if ((payload && !handOver) || !claim.mayHandOver()) {
          // The lease is low (a slow write) or another slot failed: it goes back unsent.
          claim.giveBack(row.id);
          payloads.release(row.id);
        } else {
          try {
            const sent: DeliveryRow = { ...row, messageId: written?.handedOver?.messageId ?? row.messageId };
            ended = { row, outcome: payload ? await this.attempt(sent, slot, payload) : payloadMissing(row) };
          } finally {
            payloads.release(row.id);
          }
        }
      }
    } catch (error) {
      claim.abort();
      // A row started but not handed over goes back with the unstarted ones, its payload let go
      // (another slot of the tenant may be waiting for that budget).
      if (current) {
        claim.giveBack(current.id);
        payloads.release(current.id);
      }
      throw error;
    }
  }
}
