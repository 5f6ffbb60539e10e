import { and, eq, gt, sql } from 'drizzle-orm';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { requireTenant } from '../../http/auth/tenant-token.ts';
import type { TestResult } from '../../../contract/index.ts';
import { deliveries, mailServers, type DeliveryError, type MailServerRow } from '../../db/schema.ts';
import { secretBox } from '../../wiring.ts';
import type { AppEnv, Database, TenantIdentity } from '../../env.ts';
import { ApiError, type FieldError } from '../../http/problem.ts';
import { fieldMessage } from '../../i18n/field-messages.ts';
import type { Lang } from '../../i18n/lang.ts';
import { localizeTranscript } from '../../i18n/transcript.ts';
import { securityName } from '../../i18n/security-names.ts';
import { localizeSmtpError } from '../../i18n/smtp-errors.ts';
import { testWarnings } from '../../i18n/test-warnings.ts';
import { sendMessage } from '../../mail/send.ts';
import { checkTarget } from '../../mail/target.ts';
import type { OutgoingMessage, SendResult, SmtpSettings } from '../../mail/types.ts';
import { mailServerInputSchema, type MailServerInput } from '../mail-server/schema.ts';
import { isSavedServer } from '../../../contract/rules/saved-server.ts';
import { smtpSettingsFromRow } from '../../settings/credentials.ts';
import { SecretUnreadableError } from '../../crypto/secret-box.ts';
import { tenantSender, type Sender } from '../../settings/sender.ts';
import { upsertTenant } from '../mail-server/store.ts';
import { errorSummary } from '../../util/error-summary.ts';
import { limitBody, MAX_JSON_BYTES, readJsonObject, validateJson, validationError } from '../../http/body.ts';
import { runtimeFieldErrors } from '../mail-server/routes.ts';

/** At most this many tests per tenant per window, counted in the database (holds across isolates). */
export const TEST_RATE_LIMIT = 5;
export const TEST_RATE_WINDOW_MS = 60_000;

const limitDraft = limitBody(MAX_JSON_BYTES);
/** The body is optional: without one the saved settings are tested. */
const optionalDraft: MiddlewareHandler<AppEnv> = (c, next) =>
  limitDraft(c, () => readOptionalDraft(c, next)) as Promise<void>;

async function readOptionalDraft(c: Context<AppEnv>, next: () => Promise<void>): Promise<void> {
  const length = c.req.header('content-length');
  if (length === '0') return next();
  const declared = length !== undefined || c.req.header('transfer-encoding') !== undefined;
  // A body without a declared length (a Request built in-process, as on Node or in tests) is read
  // to be sure it is really empty. As bytes: the read is cached, and the JSON reading after it must
  // see the bytes themselves to refuse what is not UTF-8.
  if (!declared && (c.req.raw.body === null || (await bodyBytes(c)) === 0)) return next();
  await validateJson(c, mailServerInputSchema, await readJsonObject(c));
  return next();
}

/** Bytes in the (already limited) body; one that broke off is a 400 like any unreadable body. */
async function bodyBytes(c: Context<AppEnv>): Promise<number> {
  try {
    return (await c.req.arrayBuffer()).byteLength;
  } catch {
    throw new ApiError(400, 'invalid_json');
  }
}

interface TestPlan {
  settings: SmtpSettings;
  /** What the test mail and the warnings describe. */
  described: { host: string; port: number; security: SmtpSettings['security'] };
  sender: Sender;
}

/** The saved settings with their password; one that no longer decrypts (a key dropped, a row copied) is asked for again. */
async function savedSettings(c: Context<AppEnv>, saved: MailServerRow): Promise<SmtpSettings> {
  try {
    return await smtpSettingsFromRow(saved, await secretBox(c.var.deps.config));
  } catch (error) {
    if (!(error instanceof SecretUnreadableError)) throw error;
    throw validationError([
      { path: 'auth.password', code: 'password_unreadable', message: fieldMessage('password_unreadable', c.var.lang) },
    ]);
  }
}

/** The password a draft authenticates with: its own, or the stored one for the saved server only. */
async function draftPassword(
  c: Context<AppEnv>,
  draft: MailServerInput,
  saved: MailServerRow | undefined,
): Promise<string | null> {
  if (draft.auth.method === 'none') return null;
  if (typeof draft.auth.password === 'string') return draft.auth.password;
  const lang = c.var.lang;
  if (draft.auth.password === undefined && saved?.passwordCiphertext) {
    // Never hand the tenant's stored password to a server other than the one it was saved for.
    if (!isSavedServer(saved, draft)) {
      throw validationError([
        {
          path: 'auth.password',
          code: 'password_required_for_new_server',
          message: fieldMessage('password_required_for_new_server', lang),
        },
      ]);
    }
    const password = (await savedSettings(c, saved)).auth.password;
    if (password) return password;
  }
  throw validationError([
    { path: 'auth.password', code: 'password_required', message: fieldMessage('password_required', lang) },
  ]);
}

async function planFromDraft(
  c: Context<AppEnv>,
  draft: MailServerInput,
  saved: MailServerRow | undefined,
  tenant: TenantIdentity,
): Promise<TestPlan> {
  const password = await draftPassword(c, draft, saved);
  const runtime = c.var.deps.capabilities.runtime;
  return {
    settings: {
      host: draft.host,
      port: draft.port,
      security: draft.security,
      auth: { method: draft.auth.method, username: draft.auth.username, password },
      // Node only: "always trust" — record the certificate's fingerprint (pinned once saved).
      ...(runtime === 'node' && draft.allowUntrustedCertificate ? { captureUntrustedCertificate: true } : {}),
    },
    described: { host: draft.host, port: draft.port, security: draft.security },
    sender: tenantSender(tenant, {
      fromAddress: draft.from.address,
      fromName: draft.from.name,
      replyTo: draft.replyTo,
    }),
  };
}

async function planFromSaved(c: Context<AppEnv>, saved: MailServerRow, tenant: TenantIdentity): Promise<TestPlan> {
  const settings = await savedSettings(c, saved);
  const runtime = c.var.deps.capabilities.runtime;
  return {
    settings: {
      ...settings,
      // A test of "always trust" shows the certificate now presented and pins it.
      ...(runtime === 'node' && saved.allowUntrustedCertificate
        ? { captureUntrustedCertificate: true, tlsPinSha256: null }
        : {}),
    },
    described: { host: saved.host, port: saved.port, security: saved.security },
    sender: tenantSender(tenant, saved),
  };
}

function testMail(plan: TestPlan, tenant: TenantIdentity, lang: Lang, now: Date): OutgoingMessage {
  const { host, port, security } = plan.described;
  const sec = securityName(security, lang);
  const when = `${now.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
  const text =
    lang === 'de'
      ? `Hallo,\n\ndies ist eine Testnachricht. Ihre Mailserver-Einstellungen funktionieren:\n\n  Server: ${host}\n  Port: ${port}\n  Verschlüsselung: ${sec}\n  Absender: ${plan.sender.from.address}\n  Gesendet: ${when}\n\nAb jetzt gehen Ihre Belege über diesen Server hinaus.\n`
      : `Hello,\n\nthis is a test message. Your mail server settings work:\n\n  Server: ${host}\n  Port: ${port}\n  Encryption: ${sec}\n  Sender: ${plan.sender.from.address}\n  Sent: ${when}\n\nFrom now on your documents are sent through this server.\n`;
  return {
    from: plan.sender.from,
    replyTo: plan.sender.replyTo,
    to: [{ address: tenant.email, name: tenant.name }],
    subject:
      lang === 'de'
        ? `Testnachricht: Mailserver ${host}:${port} (${sec})`
        : `Test message: mail server ${host}:${port} (${sec})`,
    text,
    date: now,
  };
}

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

/** Hands a task to the runtime to finish after the response (Workers' `waitUntil`). */
export type Defer = (task: Promise<unknown>) => void;

/** `waitUntil` of the request's execution context, where there is one (Workers); none on Node. */
function deferrerOf(c: Context<AppEnv>): Defer | undefined {
  let ctx: { waitUntil?: (task: Promise<unknown>) => void } | undefined;
  try {
    ctx = c.executionCtx; // Hono throws when the runtime gave no execution context
  } catch {
    return undefined;
  }
  const waitUntil = ctx?.waitUntil;
  return typeof waitUntil === 'function' ? (task) => waitUntil.call(ctx, task) : undefined;
}

/** Ends the reserved row: `sent`, or `failed` with why (`unknown` when there is no result). */
function recordTest(
  db: Database,
  tenant: TenantIdentity,
  id: string,
  message: OutgoingMessage,
  result: SendResult | undefined,
  now: () => Date,
  server: DeliveryError['server'],
) {
  const outcome = result?.ok
    ? { status: 'sent' as const, messageId: result.messageId, smtpResponse: result.response, sentAt: now() }
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
  return db
    .update(deliveries)
    .set({ subject: message.subject, attempts: 1, ...outcome })
    .where(and(eq(deliveries.id, id), eq(deliveries.tenantId, tenant.id)));
}

/**
 * Sends the test mail and ends its reserved row (`sending`) in every case: `sent`, or `failed`
 * with why — `unknown` when sending threw instead of reporting an SMTP error (the throw goes on).
 * With `defer` (Workers: `waitUntil`), that update runs after the response instead of before it
 * (started on the next turn of the event loop); it is tried a second time if it fails, and a
 * failure that remains is logged (nobody awaits it any more).
 */
export async function sendAndRecordTest(
  db: Database,
  tenant: TenantIdentity,
  id: string,
  message: OutgoingMessage,
  send: (message: OutgoingMessage) => Promise<SendResult>,
  now: () => Date,
  defer?: Defer,
  /** The server tested, named in the stored error's message. */
  server?: DeliveryError['server'],
): Promise<SendResult> {
  let result: SendResult | undefined;
  try {
    result = await send(message);
    return result;
  } finally {
    const record = () => recordTest(db, tenant, id, message, result, now, server);
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

async function retryAfterSeconds(db: Database, tenant: TenantIdentity, now: Date): Promise<number> {
  const since = new Date(now.getTime() - TEST_RATE_WINDOW_MS);
  const rows = await db
    .select({ oldest: sql<number>`min(${deliveries.createdAt})` })
    .from(deliveries)
    .where(and(eq(deliveries.tenantId, tenant.id), eq(deliveries.kind, 'test'), gt(deliveries.createdAt, since)));
  const oldest = Number(rows[0]?.oldest ?? now.getTime());
  return Math.max(1, Math.ceil((oldest + TEST_RATE_WINDOW_MS - now.getTime()) / 1000));
}

export const mailServerTestRoutes = new Hono<AppEnv>().use(requireTenant).post('/', optionalDraft, async (c) => {
  const { tenant, deps, lang } = c.var;
  const draft = (c.req.valid as (target: 'json') => MailServerInput | undefined)('json');
  const runtime = deps.capabilities.runtime;

  if (draft) {
    const errors: FieldError[] = runtimeFieldErrors(c, draft);
    const target = checkTarget(draft, { runtime, allowPrivateHosts: deps.config.allowPrivateHosts });
    if (target && !errors.some((e) => e.path === target.path))
      errors.push({ path: target.path, code: target.code, message: fieldMessage(target.code, lang) });
    if (errors.length > 0) throw validationError(errors);
  }

  const t0 = performance.now();
  const now = deps.now();
  // One round trip: tenant upsert, settings read and the rate-limit reservation.
  const deliveryId = crypto.randomUUID();
  const [, rows, reserved] = await deps.db.batch([
    upsertTenant(deps.db, tenant, now),
    deps.db.select().from(mailServers).where(eq(mailServers.tenantId, tenant.id)),
    reserveTest(deps.db, tenant, deliveryId, now, !draft),
  ]);
  const saved = rows[0];
  const tRead = performance.now();
  if (!draft && !saved) throw new ApiError(409, 'not_configured');
  if ((reserved as { rowsAffected: number }).rowsAffected === 0) {
    const retryAfter = await retryAfterSeconds(deps.db, tenant, now);
    throw new ApiError(429, 'rate_limited', [], { 'retry-after': String(retryAfter) });
  }

  let plan: TestPlan;
  let message: OutgoingMessage;
  try {
    if (!draft && saved) {
      // Saved settings may predate a policy change: check them the same way.
      const target = checkTarget(saved, { runtime, allowPrivateHosts: deps.config.allowPrivateHosts });
      if (target)
        throw validationError([{ path: target.path, code: target.code, message: fieldMessage(target.code, lang) }]);
    }
    plan = draft ? await planFromDraft(c, draft, saved, tenant) : await planFromSaved(c, saved!, tenant);
    message = testMail(plan, tenant, lang, now);
  } catch (error) {
    // Not tested after all: the reservation does not count.
    await deps.db.delete(deliveries).where(and(eq(deliveries.id, deliveryId), eq(deliveries.tenantId, tenant.id)));
    throw error;
  }

  const tReserve = performance.now();
  let tSent = 0;
  const send = (m: OutgoingMessage) =>
    sendMessage(plan.settings, m, {
      runtime,
      addressGuard: { allowPrivateHosts: deps.config.allowPrivateHosts },
    })
      // Handed over without a reply: the test mail may well arrive, which the tenant should know.
      .then(
        (r): SendResult =>
          r.ok || !r.error.deliveryUnknown ? r : { ...r, error: { ...r.error, code: 'test_unconfirmed' } },
      )
      .finally(() => {
        tSent = performance.now();
      });
  // Workers: the row is ended after the response (waitUntil), saving the client a database round trip.
  const result = await sendAndRecordTest(
    deps.db,
    tenant,
    deliveryId,
    message,
    send,
    deps.now,
    deferrerOf(c),
    plan.described,
  );
  const tSend = tSent || performance.now();
  const warnings = testWarnings(
    { host: plan.described.host, security: plan.described.security, auth: plan.settings.auth },
    plan.sender.from.address,
    lang,
  );

  // Node, "always trust": a successful test of the saved server pins the certificate it showed.
  if (
    result.ok &&
    runtime === 'node' &&
    result.certificateSha256 &&
    saved?.allowUntrustedCertificate &&
    saved.host.toLowerCase() === plan.described.host.toLowerCase() &&
    saved.port === plan.described.port
  ) {
    await deps.db
      .update(mailServers)
      .set({ tlsPinSha256: result.certificateSha256 })
      .where(
        and(eq(mailServers.tenantId, tenant.id), eq(mailServers.host, saved.host), eq(mailServers.port, saved.port)),
      );
  }

  const transcript = localizeTranscript(result.transcript, lang);
  const body: TestResult = result.ok
    ? {
        ok: true,
        messageId: result.messageId,
        response: result.response,
        durationMs: result.durationMs,
        transcript,
        warnings,
      }
    : {
        ok: false,
        error: localizeSmtpError(result.error, lang, { runtime, ...plan.described }),
        durationMs: result.durationMs,
        transcript,
        warnings,
      };
  const tEnd = performance.now();
  c.header('cache-control', 'no-store');
  // Where the time went (workerd's clock advances on I/O only, which is what matters here).
  c.header(
    'server-timing',
    `read;dur=${(tRead - t0).toFixed(1)}, prepare;dur=${(tReserve - tRead).toFixed(1)}, smtp;dur=${(tSend - tReserve).toFixed(1)}, record;dur=${(tEnd - tSend).toFixed(1)}`,
  );
  return c.json(body, 200);
});
