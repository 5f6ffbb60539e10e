import type { SmtpErrorCode } from '../../contract/index.ts';
import { SecretBox } from '../crypto/secret-box.ts';
import type { DeliveryError } from '../db/schema.ts';
import type { Config } from '../config/config.ts';
import type { Database } from '../env.ts';
import { domainOf } from '../mail/address.ts';
import { makeMessageId } from '../mail/message-id.ts';
import { buildMailData } from '../mail/mail-data.ts';
import { openSender, type PooledSender } from '../mail/pool.ts';
import { checkTarget } from '../mail/target.ts';
import type {
  MailRuntime,
  NormalizedSmtpError,
  OutgoingMessage,
  RejectedRecipient,
  SendResult,
  SmtpSettings,
  SmtpTimeouts,
} from '../mail/types.ts';
import { smtpSettingsFromRow } from '../settings/credentials.ts';
import { systemSender, tenantSender, type Sender } from '../settings/sender.ts';
import { base64ToBytes } from '../util/base64.ts';
import { errorSummary } from '../util/error-summary.ts';
import { Claim } from './claim.ts';
import { breaksRoute, nextRetryDelay } from './policy.ts';
import { pendingRecipients, splitRecipients } from './recipients.ts';
import { PayloadLoader } from './payloads.ts';
import {
  claimDeliveries,
  readTenantWithServer,
  recordAndHandOver,
  releaseClaims,
  type AttemptOutcome,
  type DeliveryRow,
  type StoredPayload,
} from './store.ts';

export interface OutboxContext {
  db: Database;
  config: Config;
  runtime: MailRuntime;
  now: () => Date;
  /** Puts a delivery id (back) on the queue, optionally delayed. */
  enqueue: (id: string, delaySeconds: number) => Promise<void>;
  timeouts?: Partial<SmtpTimeouts>;
  /** Payload bytes read into memory at once (default PAYLOAD_LOAD_BYTES; tests make it small). */
  payloadLoadBytes?: number;
}

/** Parallel SMTP sessions per route and batch: one session is serial, a few make up for round trips. */
const CONNECTIONS_PER_ROUTE = 4;

type RouteName = 'tenant' | 'system';

/** `server`: the tenant's server it came from (named in the message shown); none for the system relay. */
const asDeliveryError = (e: NormalizedSmtpError, server?: DeliveryError['server']): DeliveryError => ({
  stage: e.stage,
  code: e.code,
  responseCode: e.responseCode,
  response: e.response,
  ...(server ? { server } : {}),
});

/** A route that cannot be used as configured; `transient` when the operator can mend it (a missing secret, a key rotation). */
const configError = (code: SmtpErrorCode, transient = false): NormalizedSmtpError => ({
  stage: 'connect',
  code,
  responseCode: null,
  response: null,
  transient,
});

/** Sends the deliveries with these ids (those still due); records every outcome. */
export async function deliver(ids: string[], ctx: OutboxContext): Promise<void> {
  const token = crypto.randomUUID();
  const lease = ctx.config.outbox.leaseMs;
  const claimedAt = ctx.now();
  const rows = await claimDeliveries(ctx.db, ids, claimedAt, lease, token);
  if (rows.length === 0) return;
  const claim = new Claim(
    ctx.db,
    token,
    rows.map((r) => r.id),
    lease,
    ctx.now,
    claimedAt,
  );
  let failure: unknown;
  try {
    const byTenant = new Map<string, DeliveryRow[]>();
    for (const row of rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row]);
    // Payloads are read as their rows come up (a batch of large invoices would not fit in memory).
    const payloads = await PayloadLoader.open(
      ctx.db,
      [...byTenant.values()].map((tenantRows) => tenantRows.map((r) => r.id)),
      ctx.payloadLoadBytes,
    );
    const results = await Promise.allSettled(
      [...byTenant].map(([tenantId, tenantRows]) =>
        // However a tenant's part ends, what it read ahead is let go (the budget is shared).
        deliverForTenant(tenantId, tenantRows, payloads, claim, ctx).finally(() => {
          for (const r of tenantRows) payloads.release(r.id);
        }),
      ),
    );
    failure = results.find((r) => r.status === 'rejected')?.reason;
  } catch (error) {
    failure = error;
  } finally {
    claim.stop();
  }
  // Rows never handed to a server go back untouched, so the next try does not count them as cut off.
  const unstarted = claim.unstarted();
  if (unstarted.length > 0) {
    try {
      await releaseClaims(ctx.db, unstarted, ctx.now(), token);
      if (!failure) for (const id of unstarted) await ctx.enqueue(id, 0);
    } catch (error) {
      console.error(
        `outbox: giving back ${unstarted.length} unsent deliveries failed (the sweeper picks them up when their lease ends): ${errorSummary(error)}`,
      );
    }
  }
  if (failure) throw failure;
}

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
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** The refusal of some recipients, as the error of an attempt that reached the others. */
function refusedRecipientsError(rejected: RejectedRecipient[]): NormalizedSmtpError {
  const temporary = rejected.filter((r) => r.responseCode === null || r.responseCode < 500);
  const first = temporary[0] ?? rejected[0]!;
  return {
    stage: 'rcpt',
    code: 'recipients_rejected',
    responseCode: first.responseCode,
    response: rejected.map((r) => `${r.recipient}: ${r.response ?? 'refused'}`).join('\n'),
    // Only a temporary refusal is worth another try; 5xx means this server will not take them.
    transient: temporary.length > 0,
  };
}

async function deliverForTenant(
  tenantId: string,
  rows: DeliveryRow[],
  payloads: PayloadLoader,
  claim: Claim,
  ctx: OutboxContext,
): Promise<void> {
  const { tenant, server } = await readTenantWithServer(ctx.db, tenantId);
  if (!tenant) return; // deleted with its deliveries (ON DELETE CASCADE)
  const delays = ctx.config.outbox.retryDelays;

  // Route settings, each resolved once per batch; a configuration problem is an error of that route.
  let tenantRoute: SmtpSettings | NormalizedSmtpError | null = null;
  if (server) {
    const blocked = checkTarget(server, {
      runtime: ctx.runtime,
      allowPrivateHosts: ctx.config.allowPrivateHosts,
    });
    if (blocked) tenantRoute = configError(blocked.code);
    else {
      try {
        tenantRoute = await smtpSettingsFromRow(
          server,
          await SecretBox.fromConfig(ctx.config.settingsEncryptionKey ?? ''),
        );
      } catch {
        tenantRoute = configError('credentials_unreadable', true);
      }
    }
  }
  const relay = ctx.config.systemRelay;
  let systemRoute: SmtpSettings | NormalizedSmtpError;
  if (relay && !(relay instanceof Error)) systemRoute = relay;
  else {
    console.error(`system relay unusable: ${relay?.message ?? 'SYSTEM_SMTP_URL is not set'}`);
    systemRoute = configError('system_relay_not_configured', true);
  }

  const tenantRouteSender = tenantSender(tenant, server);
  const systemRouteSender = systemSender(ctx.config.systemFrom, tenant, server);

  // One pooled SMTP session per route and slot, opened on first use.
  const sessions = new Map<string, PooledSender>();
  const brokenRoutes = new Map<RouteName, NormalizedSmtpError>();
  const send = async (
    route: RouteName,
    slot: number,
    message: OutgoingMessage,
  ): Promise<SendResult | { ok: false; error: NormalizedSmtpError }> => {
    const settings = route === 'tenant' ? tenantRoute : systemRoute;
    if (!settings || 'stage' in settings) return { ok: false, error: settings ?? configError('not_configured') };
    const broken = brokenRoutes.get(route);
    if (broken) return { ok: false, error: broken };
    const key = `${route}:${slot}`;
    let session = sessions.get(key);
    if (!session) {
      session = openSender(settings, {
        runtime: ctx.runtime,
        timeouts: ctx.timeouts,
        clientName: domainOf(message.from.address),
        // The tenant's host name must not resolve to an internal address (Node; the relay is the operator's).
        ...(route === 'tenant' ? { addressGuard: { allowPrivateHosts: ctx.config.allowPrivateHosts } } : {}),
      });
      sessions.set(key, session);
    }
    const result = await session.send(message);
    if (!result.ok && breaksRoute(result.error)) brokenRoutes.set(route, result.error);
    return result;
  };

  /** Never an empty mail in place of the invoice: a row whose body is gone ends failed, saying so. */
  const payloadMissing = (row: DeliveryRow): AttemptOutcome => ({
    status: 'failed',
    route: row.route,
    error: { stage: 'data', code: 'payload_missing', responseCode: null, response: null },
  });

  /** A stored message that cannot be built (damaged data; the API checks what it accepts): it ends failed, the batch goes on. */
  const payloadUnusable = (row: DeliveryRow, error: unknown): AttemptOutcome => {
    console.error(`delivery ${row.id}: the stored message cannot be built, it is not sent: ${errorSummary(error)}`);
    return {
      status: 'failed',
      route: row.route,
      error: { stage: 'data', code: 'payload_unusable', responseCode: null, response: null },
    };
  };

  const attempt = async (row: DeliveryRow, slot: number, payload: StoredPayload): Promise<AttemptOutcome> => {
    const all = [...row.recipients.to, ...row.recipients.cc, ...row.recipients.bcc];
    let attachments: OutgoingMessage['attachments'];
    try {
      attachments = payload.attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: base64ToBytes(a.content),
      }));
      buildMailData({ ...message(tenantRouteSender, []), attachments }); // the header checks, before anything is sent
    } catch (error) {
      return payloadUnusable(row, error);
    }
    // Only recipients no server has accepted yet; a retry never sends anyone a second copy.
    function message({ from, replyTo }: Sender, done: string[]): OutgoingMessage {
      return {
        from,
        replyTo,
        to: pendingRecipients(row.recipients.to, done),
        cc: pendingRecipients(row.recipients.cc, done),
        bcc: pendingRecipients(row.recipients.bcc, done),
        subject: row.subject,
        text: payload.text,
        html: payload.html,
        attachments,
        messageId: row.messageId ?? undefined,
      };
    }
    /** `attemptsOnRoute` counts this attempt: the tenant route and a fallback each have the whole retry budget. */
    const retryOrFail = (
      route: AttemptOutcome['route'],
      error: NormalizedSmtpError,
      attemptsOnRoute: number,
      extra: Partial<AttemptOutcome> = {},
    ): AttemptOutcome => {
      const delay = error.transient ? nextRetryDelay(delays, attemptsOnRoute) : null;
      const stored = asDeliveryError(
        error,
        route === 'tenant' && server ? { host: server.host, port: server.port, security: server.security } : undefined,
      );
      if (error.deliveryUnknown) {
        // Handed over without a verdict, so the server may have it: like an attempt cut off by a
        // crash, it is sent again at most once (interruptions), never through the fallback too.
        const unknown = { status: 'failed' as const, route, error: { ...stored, code: 'delivery_unknown' }, ...extra };
        if (row.interruptions >= 1 || delay === null) return unknown;
        return {
          status: 'retrying',
          route,
          error: stored,
          nextAttemptAt: new Date(ctx.now().getTime() + delay * 1000),
          interrupted: true,
          ...extra,
        };
      }
      return delay === null
        ? { status: 'failed', route, error: stored, ...extra }
        : {
            status: 'retrying',
            route,
            error: stored,
            nextAttemptAt: new Date(ctx.now().getTime() + delay * 1000),
            ...extra,
          };
    };
    const handedOver = (
      route: AttemptOutcome['route'],
      result: Extract<SendResult, { ok: true }>,
      done: string[],
      attemptsOnRoute: number,
      extra: Partial<AttemptOutcome> = {},
    ): AttemptOutcome => {
      const rejected = [
        ...result.rejectedDetails,
        // A refusal Nodemailer listed without a reply counts as temporary.
        ...result.rejected
          .filter((r) => !result.rejectedDetails.some((d) => d.recipient === r))
          .map((r) => ({ recipient: r, responseCode: null, response: null })),
      ];
      const split = splitRecipients(all, result.accepted, rejected);
      const base = { ...extra, route, smtpResponse: result.response, acceptedRecipients: [...done, ...split.accepted] };
      if (split.rejected.length === 0) return { status: 'sent', sentAt: ctx.now(), ...base };
      return retryOrFail(route, refusedRecipientsError(split.rejected), attemptsOnRoute, base);
    };
    /** Failed for good while some recipients have it: the message was sent, the failure stays as its error. */
    const ended = (outcome: AttemptOutcome): AttemptOutcome => {
      if (outcome.status !== 'failed' || (outcome.acceptedRecipients ?? done).length === 0) return outcome;
      const error =
        outcome.error?.code === 'recipients_rejected'
          ? { ...outcome.error, code: 'recipients_refused' }
          : outcome.error;
      return { ...outcome, status: 'sent', sentAt: ctx.now(), error };
    };
    const done = row.acceptedRecipients ?? [];

    if (row.route === 'system-fallback' && server && !server.fallbackToSystem) {
      // The tenant turned the fallback off after its server had failed for good: nothing more goes
      // out through the relay; the message ends as it would have with the fallback off back then.
      return ended({
        status: 'failed',
        route: row.route,
        error: { stage: 'connect', code: 'fallback_turned_off', responseCode: null, response: null },
      });
    }
    /** This attempt's number on `route`: a route taken up now starts with the whole retry budget. */
    const attemptsOn = (route: DeliveryRow['route']) => {
      if (row.route !== route) return 1;
      // A fallback recorded by a Worker older than route_since_attempt (deployed after migrating) left it at 1.
      const since =
        route === 'system-fallback'
          ? Math.max(row.routeSinceAttempt, row.fallbackAtAttempt ?? 0)
          : row.routeSinceAttempt;
      return row.attempts - since + 1;
    };
    if (row.route === 'system-fallback' || !tenantRoute) {
      const route = row.route === 'system-fallback' ? 'system-fallback' : 'system';
      const result = await send('system', slot, message(systemRouteSender, done));
      return ended(
        result.ok
          ? handedOver(route, result, done, attemptsOn(route))
          : retryOrFail(route, result.error, attemptsOn(route)),
      );
    }
    const result = await send('tenant', slot, message(tenantRouteSender, done));
    const outcome = result.ok
      ? handedOver('tenant', result, done, attemptsOn('tenant'))
      : retryOrFail('tenant', result.error, attemptsOn('tenant'));
    // A message the tenant's server may already have (an earlier attempt was cut off or got no
    // verdict after the whole message) never also goes through the relay.
    const mayHaveIt = row.interruptions >= 1 || outcome.error?.code === 'delivery_unknown';
    if (outcome.status !== 'failed' || !server?.fallbackToSystem || mayHaveIt) return ended(outcome);
    // The tenant's server failed for good (for all recipients or the rest) and the tenant allowed
    // it: the system relay takes over what is left, with a retry budget of its own.
    const tenantDone = outcome.acceptedRecipients ?? done;
    const extra = { fallbackReason: outcome.error!, fallbackAtAttempt: row.attempts, acceptedRecipients: tenantDone };
    const fallback = await send('system', slot, message(systemRouteSender, tenantDone));
    return ended(
      fallback.ok
        ? handedOver('system-fallback', fallback, tenantDone, 1, extra)
        : retryOrFail('system-fallback', fallback.error, 1, extra),
    );
  };

  /** A row this slot sent (or gave up on) whose outcome is not recorded yet. */
  interface Ended {
    row: DeliveryRow;
    outcome: AttemptOutcome;
  }
  /** The outcome is stored (or another attempt had taken the row over): the row is done here. */
  const settle = async ({ row, outcome }: Ended, recorded: boolean): Promise<void> => {
    claim.finish(row.id);
    if (!recorded) {
      console.error(
        `delivery ${row.id}: another attempt took it over; this attempt's outcome (${outcome.status}) is not recorded`,
      );
      return;
    }
    if (outcome.status === 'retrying') {
      const delay = Math.max(0, Math.ceil(((outcome.nextAttemptAt?.getTime() ?? 0) - ctx.now().getTime()) / 1000));
      await ctx
        .enqueue(row.id, delay)
        .catch((e) => console.error(`re-enqueue of ${row.id} failed (the sweeper will pick it up): ${String(e)}`));
    }
  };

  // A row without Message-ID (accepted while its sender needed IDNA, see assignMessageId) gets one
  // when it is marked as handed over, so every attempt sends the same.
  const messageIdFor = (row: DeliveryRow) => row.messageId ?? makeMessageId(tenantRouteSender.from.address);

  try {
    let next = 0;
    /** The slot's next row, started (counted as in flight); null when no row is left to start. */
    const takeNext = (): DeliveryRow | null => {
      while (next < rows.length) {
        const row = rows[next++]!;
        if (claim.start(row.id)) return row;
        payloads.release(row.id); // lease not safe, the batch failed or the row was taken over: given back untouched
      }
      return null;
    };
    const slots = await Promise.allSettled(
      Array.from({ length: Math.min(CONNECTIONS_PER_ROUTE, rows.length) }, async (_, slot) => {
        /** A row this slot sent (or gave up on) whose outcome is not written yet. */
        let ended: Ended | null = null;
        /** A row this slot started and has not handed to a server yet. */
        let current: DeliveryRow | null = null;
        const write = (record: Ended | null, handOver: DeliveryRow | null) =>
          withRetries(ctx, claim, () =>
            recordAndHandOver(
              ctx.db,
              record && { id: record.row.id, outcome: record.outcome },
              handOver && { id: handOver.id, messageId: messageIdFor(handOver) },
              ctx.now(),
              claim.token,
            ),
          );
        try {
          for (;;) {
            current = takeNext();
            // From here the write owns it: if the write fails for good, the row is left to the
            // sweeper as cut off after handing over (resent once, with the same Message-ID).
            let last: Ended | null = ended;
            ended = null;
            let payload: StoredPayload | undefined;
            if (current && !payloads.isReady(current.id)) {
              // The next payload has to be read first (and may wait for the shared budget): the last
              // outcome is not kept waiting for it.
              if (last) await settle(last, (await write(last, null)).recorded);
              last = null;
            }
            // Read before the row is marked: a failed read gives it back untouched (below). Only a
            // read not yet done can fail, and then the last outcome is already written.
            if (current) payload = await payloads.get(current.id);
            // One write: the last row's outcome, and the next row marked as handed over before it is
            // sent — only while the claim allows a hand-over (a mark of a row then given back would
            // count it as interrupted if giving back failed).
            const handOver = current && payload && claim.mayHandOver() ? current : null;
            const written: Awaited<ReturnType<typeof write>> | null =
              last || handOver ? await write(last, handOver) : null;
            if (last) await settle(last, written!.recorded);
            if (!current) return;
            const row = current;
            if (handOver && !written!.handedOver) {
              // Another attempt took the row over meanwhile (our lease had run out): not ours to send.
              current = null;
              claim.finish(row.id);
              payloads.release(row.id);
              continue;
            }
            if ((payload && !handOver) || !claim.mayHandOver()) {
              // The lease is low (a slow write) or another slot failed: it goes back unsent.
              current = null;
              claim.giveBack(row.id);
              payloads.release(row.id);
              continue;
            }
            current = null;
            try {
              const sent: DeliveryRow = { ...row, messageId: written?.handedOver?.messageId ?? row.messageId };
              ended = { row, outcome: payload ? await attempt(sent, slot, payload) : payloadMissing(row) };
            } finally {
              payloads.release(row.id);
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
      }),
    );
    const failed = slots.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    await Promise.all([...sessions.values()].map((s) => s.close()));
  }
}
