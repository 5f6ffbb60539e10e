import { SecretBox } from '../crypto/secret-box.ts';
import type { DeliveryError } from '../db/schema.ts';
import type { Bindings, Database } from '../env.ts';
import { openSender, type PooledSender } from '../mail/send.ts';
import { checkTarget } from '../mail/target.ts';
import type { MailRuntime, NormalizedSmtpError, OutgoingMessage, SendResult, SmtpSettings, SmtpTimeouts } from '../mail/types.ts';
import { smtpSettingsFromRow } from '../settings/credentials.ts';
import { breaksRoute, leaseMs, nextRetryDelay, retryDelays } from './policy.ts';
import { claimDeliveries, readPayloads, releaseClaims, readTenantWithServer, recordOutcome, type AttemptOutcome, type DeliveryRow, type StoredPayload } from './store.ts';
import { systemRelaySettings, SystemRelayConfigError } from './system-relay.ts';

export interface OutboxContext {
  db: Database;
  env: Bindings;
  runtime: MailRuntime;
  now: () => Date;
  /** Puts a delivery id (back) on the queue, optionally delayed. */
  enqueue: (id: string, delaySeconds: number) => Promise<void>;
  timeouts?: Partial<SmtpTimeouts>;
}

/** Parallel SMTP sessions per route and batch: one session is serial, a few make up for round trips. */
const CONNECTIONS_PER_ROUTE = 4;

type RouteName = 'tenant' | 'system';

const asDeliveryError = (e: NormalizedSmtpError): DeliveryError => ({
  stage: e.stage,
  code: e.code,
  responseCode: e.responseCode,
  response: e.response,
});

const configError = (code: string): NormalizedSmtpError => ({ stage: 'connect', code, responseCode: null, response: null, transient: false });

function decodeBase64(b64: string): Uint8Array {
  const binary = atob(b64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1);

/** Sends the deliveries with these ids (those still due); records every outcome. */
export async function deliver(ids: string[], ctx: OutboxContext): Promise<void> {
  const rows = await claimDeliveries(ctx.db, ids, ctx.now(), leaseMs(ctx.env.OUTBOX_LEASE_SECONDS));
  let payloads: Map<string, StoredPayload>;
  try {
    payloads = await readPayloads(ctx.db, rows.map((r) => r.id));
  } catch (error) {
    // Nothing was sent: give the rows back so the next try does not count them as cut off.
    await releaseClaims(ctx.db, rows.map((r) => r.id), ctx.now()).catch(() => {});
    throw error;
  }
  const byTenant = new Map<string, DeliveryRow[]>();
  for (const row of rows) byTenant.set(row.tenantId, [...(byTenant.get(row.tenantId) ?? []), row]);
  await Promise.all([...byTenant].map(([tenantId, tenantRows]) => deliverForTenant(tenantId, tenantRows, payloads, ctx)));
}

async function deliverForTenant(tenantId: string, rows: DeliveryRow[], payloads: Map<string, StoredPayload>, ctx: OutboxContext): Promise<void> {
  const { tenant, server } = await readTenantWithServer(ctx.db, tenantId);
  if (!tenant) return; // deleted with its deliveries (ON DELETE CASCADE)
  const delays = retryDelays(ctx.env.OUTBOX_RETRY_DELAYS);

  // Route settings, each resolved once per batch; a configuration problem is an error of that route.
  let tenantRoute: SmtpSettings | NormalizedSmtpError | null = null;
  if (server) {
    const blocked = checkTarget(server, { runtime: ctx.runtime, allowPrivateHosts: ctx.env.ALLOW_PRIVATE_HOSTS === 'true' });
    if (blocked) tenantRoute = configError(blocked.code);
    else {
      try {
        tenantRoute = await smtpSettingsFromRow(server, await SecretBox.fromConfig(ctx.env.SETTINGS_ENCRYPTION_KEY ?? ''));
      } catch {
        tenantRoute = configError('credentials_unreadable');
      }
    }
  }
  let systemRoute: SmtpSettings | NormalizedSmtpError;
  try {
    systemRoute = systemRelaySettings(ctx.env.SYSTEM_SMTP_URL);
  } catch (error) {
    if (!(error instanceof SystemRelayConfigError)) throw error;
    console.error(`system relay unusable: ${error.message}`);
    systemRoute = configError('system_relay_not_configured');
  }

  const tenantSender = { address: server?.fromAddress ?? tenant.email, name: server?.fromName ?? tenant.name };
  const replyTo = server?.replyTo ?? tenant.email;
  const systemFrom = { address: ctx.env.SYSTEM_FROM || 'no-reply@localhost.localdomain', name: tenant.name };

  // One pooled SMTP session per route and slot, opened on first use.
  const sessions = new Map<string, PooledSender>();
  const brokenRoutes = new Map<RouteName, NormalizedSmtpError>();
  const send = async (route: RouteName, slot: number, message: OutgoingMessage): Promise<SendResult | { ok: false; error: NormalizedSmtpError }> => {
    const settings = route === 'tenant' ? tenantRoute : systemRoute;
    if (!settings || 'stage' in settings) return { ok: false, error: settings ?? configError('not_configured') };
    const broken = brokenRoutes.get(route);
    if (broken) return { ok: false, error: broken };
    const key = `${route}:${slot}`;
    let session = sessions.get(key);
    if (!session) {
      session = openSender(settings, { runtime: ctx.runtime, timeouts: ctx.timeouts, clientName: domainOf(message.from.address) });
      sessions.set(key, session);
    }
    const result = await session.send(message);
    if (!result.ok && breaksRoute(result.error)) brokenRoutes.set(route, result.error);
    return result;
  };

  const attempt = async (row: DeliveryRow, slot: number): Promise<AttemptOutcome> => {
    const payload = payloads.get(row.id) ?? { attachments: [] };
    const done = new Set(row.acceptedRecipients ?? []);
    const pending = (list: string[]) => list.filter((a) => !done.has(a));
    const message = (from: { address: string; name: string }): OutgoingMessage => ({
      from,
      replyTo,
      to: pending(row.recipients.to),
      cc: pending(row.recipients.cc),
      bcc: pending(row.recipients.bcc),
      subject: row.subject,
      text: payload.text,
      html: payload.html,
      attachments: payload.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: decodeBase64(a.content) })),
      messageId: row.messageId ?? undefined,
    });
    const retryOrFail = (route: AttemptOutcome['route'], error: NormalizedSmtpError, extra: Partial<AttemptOutcome> = {}): AttemptOutcome => {
      const delay = error.transient ? nextRetryDelay(delays, row.attempts) : null;
      return delay === null
        ? { status: 'failed', route, error: asDeliveryError(error), ...extra }
        : { status: 'retrying', route, error: asDeliveryError(error), nextAttemptAt: new Date(ctx.now().getTime() + delay * 1000), ...extra };
    };
    const accepted = (route: AttemptOutcome['route'], result: Extract<SendResult, { ok: true }>, extra: Partial<AttemptOutcome> = {}): AttemptOutcome => {
      const all = [...done, ...result.accepted];
      const base = { route, smtpResponse: result.response, acceptedRecipients: all, ...extra };
      if (result.rejected.length === 0) return { status: 'sent', sentAt: ctx.now(), ...base };
      // Some recipients were refused while others got the mail: retry only the refused ones.
      const error = { stage: 'rcpt' as const, code: 'recipients_rejected', responseCode: null, response: `refused: ${result.rejected.join(', ')}`, transient: true };
      return retryOrFail(route, error, base);
    };

    if (row.route === 'system-fallback' || !tenantRoute) {
      const route = row.route === 'system-fallback' ? 'system-fallback' : 'system';
      const result = await send('system', slot, message(systemFrom));
      return result.ok ? accepted(route, result) : retryOrFail(route, result.error);
    }
    const result = await send('tenant', slot, message(tenantSender));
    if (result.ok) return accepted('tenant', result);
    const tenantError = result.error;
    const outcome = retryOrFail('tenant', tenantError);
    if (outcome.status === 'retrying' || !server?.fallbackToSystem) return outcome;
    // The tenant's server failed for good and the tenant allowed it: the system relay takes over.
    const fallback = await send('system', slot, message(systemFrom));
    const reason = { fallbackReason: asDeliveryError(tenantError) };
    return fallback.ok ? accepted('system-fallback', fallback, reason) : retryOrFail('system-fallback', fallback.error, reason);
  };

  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(CONNECTIONS_PER_ROUTE, rows.length) }, async (_, slot) => {
        while (next < rows.length) {
          const row = rows[next++]!;
          const outcome = await attempt(row, slot);
          await recordOutcome(ctx.db, row.id, outcome, ctx.now());
          if (outcome.status === 'retrying') {
            const delay = Math.max(0, Math.ceil(((outcome.nextAttemptAt?.getTime() ?? 0) - ctx.now().getTime()) / 1000));
            await ctx.enqueue(row.id, delay).catch((e) => console.error(`re-enqueue of ${row.id} failed (the sweeper will pick it up): ${String(e)}`));
          }
        }
      }),
    );
  } finally {
    await Promise.all([...sessions.values()].map((s) => s.close()));
  }
}
