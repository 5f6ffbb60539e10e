import type { TestResult, VerifyResult as VerifyResultBody } from '../../../contract/index.ts';
import type { MailServerRow, TenantIdentity } from '../../db/schema.ts';
import type { Deps } from '../../http/context.ts';
import type { Defer } from '../../http/defer.ts';
import { accessTokenContext, settleStoredTokens } from '../../oauth/access-token.ts';
import { validationError } from '../../http/body.ts';
import { ApiError, type FieldError } from '../../http/problem.ts';
import { fieldMessage } from '../../i18n/field-messages.ts';
import type { Lang } from '../../i18n/lang.ts';
import { localizeSmtpError } from '../../i18n/smtp-errors.ts';
import { testWarnings } from '../../i18n/test-warnings.ts';
import { localizeTranscript } from '../../i18n/transcript.ts';
import { sendMessage } from '../../smtp/send.ts';
import { verifySession, type VerifyResult } from '../../smtp/verify.ts';
import { verifySubject } from '../../i18n/test-mail.ts';
import { checkTarget } from '../../smtp/target.ts';
import type { OutgoingMessage, SendResult } from '../../smtp/types.ts';
import type { StageListener } from '../../smtp/stages.ts';
import type { MailServerInput } from '../mail-server/schema.ts';
import { runtimeFieldErrors } from '../mail-server/service.ts';
import { sessionFingerprint } from '../mail-server/last-check.ts';
import { forgetIfRefused, loginRefused } from '../../sending/credentials.ts';
import { planFromDraft, planFromSaved, testMail, type TestPlan } from './plan.ts';
import { dropReservation, reserveAndRead, retryAfterSeconds, sendAndRecordTest } from './store.ts';

/** A test's (or verify's) result, with where its time went (milliseconds per phase). */
export interface TestOutcome<Body = TestResult> {
  body: Body;
  timings: { read: number; prepare: number; smtp: number; record: number };
}

function targetError(deps: Deps, lang: Lang, settings: { host: string; port: number }): FieldError | undefined {
  const runtime = deps.capabilities.runtime;
  const target = checkTarget(settings, { runtime, allowPrivateHosts: deps.config.allowPrivateHosts });
  return target ? { path: target.path, code: target.code, message: fieldMessage(target.code, lang) } : undefined;
}

/**
 * A draft is checked like a save (which covers where the engine may connect: blocked ports, private
 * hosts); nothing is read or reserved before.
 */
function checkDraft(deps: Deps, lang: Lang, draft: MailServerInput): void {
  const errors = runtimeFieldErrors(deps, lang, draft);
  if (errors.length > 0) throw validationError(errors);
}

/** The plan for a reserved test; saved settings may predate a policy change, so they are checked the same way. */
async function planTest(
  deps: Deps,
  lang: Lang,
  tenant: TenantIdentity,
  draft: MailServerInput | undefined,
  saved: MailServerRow | undefined,
): Promise<TestPlan> {
  if (draft) return planFromDraft(deps, lang, tenant, draft, saved);
  const target = targetError(deps, lang, saved!);
  if (target) throw validationError([target]);
  return planFromSaved(deps, lang, tenant, saved!);
}

/** A test sends the mail; a verify goes as far as RCPT TO and sends nothing. */
export type CheckKind = 'test' | 'verify';

function runCheck(
  deps: Deps,
  plan: TestPlan,
  message: OutgoingMessage,
  recipient: string,
  kind: CheckKind,
  { onStage, signal }: Pick<Session, 'onStage' | 'signal'>,
): Promise<SendResult | VerifyResult> {
  // No login possible (sign in first, or again): nothing to connect for.
  if (plan.blocked) return Promise.resolve({ ok: false, error: plan.blocked, transcript: [], durationMs: 0 });
  const options = {
    runtime: deps.capabilities.runtime,
    addressGuard: { allowPrivateHosts: deps.config.allowPrivateHosts },
    ...(onStage ? { onStage } : {}),
    ...(signal ? { signal } : {}),
  };
  if (kind === 'verify') {
    return verifySession(plan.settings, { from: plan.sender.from.address, to: recipient }, options);
  }
  return (
    sendMessage(plan.settings, message, options)
      // Handed over without a reply: the test mail may well arrive, which the tenant should know.
      .then(
        (r): SendResult =>
          r.ok || !r.error.deliveryUnknown || r.error.code === 'cancelled'
            ? r
            : { ...r, error: { ...r.error, code: 'test_unconfirmed' } },
      )
  );
}

/** The server a test went to and how it logged in: what its hints and its stored error name. */
function testedServer(plan: TestPlan) {
  return { ...plan.described, authMethod: plan.settings.auth.method, oauthProvider: plan.oauthProvider };
}

function resultBody(
  deps: Deps,
  lang: Lang,
  plan: TestPlan,
  result: SendResult | VerifyResult,
): TestResult | VerifyResultBody {
  const warnings = testWarnings(
    {
      host: plan.described.host,
      security: plan.described.security,
      auth: plan.settings.auth,
      microsoftSignInOffered: deps.capabilities.oauthProviders.includes('microsoft'),
    },
    plan.sender.from.address,
    lang,
  );
  const transcript = localizeTranscript(result.transcript, lang);
  if (result.ok) {
    const { response, durationMs } = result;
    if (!('messageId' in result)) return { ok: true, response, durationMs, transcript, warnings };
    return { ok: true, messageId: result.messageId, response, durationMs, transcript, warnings };
  }
  const error = localizeSmtpError(result.error, lang, { runtime: deps.capabilities.runtime, ...testedServer(plan) });
  return { ok: false, error, durationMs: result.durationMs, transcript, warnings };
}

/**
 * A refreshed sign-in's tokens still being written, and an access token the server refused being
 * dropped: after the response where the runtime allows.
 */
async function afterResponse(
  deps: Deps,
  tenant: TenantIdentity,
  plan: TestPlan,
  result: SendResult | VerifyResult,
  defer: Defer | undefined,
): Promise<void> {
  const forget = async () => {
    if (!result.ok && loginRefused(result.error)) {
      await forgetIfRefused(await accessTokenContext(deps), tenant.id, plan.oauthProvider, plan.settings, result.error);
    }
  };
  const after = Promise.all([settleStoredTokens(plan.stored), forget()]).then(() => {});
  if (defer) defer(after);
  else await after;
}

/** A check that passed everything decided before its session (auth, limit, plan): its row is reserved. */
export interface PreparedCheck<Body> {
  /** The delivery row's id. */
  id: string;
  kind: CheckKind;
  /** Runs the session and records it; `onStage` hears each stage as it happens, `signal` cancels it. */
  run(onStage?: StageListener, signal?: AbortSignal): Promise<TestOutcome<Body>>;
}

/**
 * Readies a test mail to the tenant's own address through the draft (or, without one, the saved
 * settings), or a verify up to RCPT TO: within the rate limit, recorded as a delivery of kind `test`.
 * Everything that is answered as an error (409, 422, 429) is thrown here, before any session.
 */
async function prepareCheck(
  deps: Deps,
  tenant: TenantIdentity,
  lang: Lang,
  draft: MailServerInput | undefined,
  defer: Defer | undefined,
  kind: CheckKind,
): Promise<PreparedCheck<TestResult | VerifyResultBody>> {
  if (draft) checkDraft(deps, lang, draft);
  const t0 = performance.now();
  const now = deps.now();
  const deliveryId = crypto.randomUUID();
  const { saved, reserved } = await reserveAndRead(deps.db, tenant, deliveryId, now, !draft);
  const tRead = performance.now();
  if (!draft && !saved) throw new ApiError(409, 'not_configured');
  if (!reserved) {
    const retryAfter = await retryAfterSeconds(deps.db, tenant, now);
    throw new ApiError(429, 'rate_limited', [], { 'retry-after': String(retryAfter) });
  }

  let plan: TestPlan;
  let message: OutgoingMessage;
  try {
    plan = await planTest(deps, lang, tenant, draft, saved);
    message = testMail(plan, tenant, lang, now);
    if (kind === 'verify')
      message = { ...message, subject: verifySubject(plan.described.host, plan.described.port, lang) };
  } catch (error) {
    await dropReservation(deps.db, tenant, deliveryId);
    throw error;
  }
  const tReserve = performance.now();
  const run = async (onStage?: StageListener, signal?: AbortSignal) => {
    const session = { tenant, deliveryId, plan, message, kind, onStage, signal };
    const { body, smtpEnd, end } = await runPrepared(deps, lang, session, defer);
    return {
      body,
      timings: { read: tRead - t0, prepare: tReserve - tRead, smtp: smtpEnd - tReserve, record: end - smtpEnd },
    };
  };
  return { id: deliveryId, kind, run };
}

interface Session {
  tenant: TenantIdentity;
  deliveryId: string;
  plan: TestPlan;
  message: OutgoingMessage;
  kind: CheckKind;
  onStage: StageListener | undefined;
  signal: AbortSignal | undefined;
}

/** The session of a prepared check, its row ended, its answer built. */
async function runPrepared(deps: Deps, lang: Lang, s: Session, defer: Defer | undefined) {
  let tSent = 0;
  const send = (m: OutgoingMessage) =>
    runCheck(deps, s.plan, m, s.tenant.email, s.kind, s).finally(() => {
      tSent = performance.now();
    });
  // Issue #19: the settings checked, recorded with the outcome (no session, no check).
  const key = deps.config.settingsEncryptionKey;
  // Only the last check needs it: a key that fails here must not fail the check or leave its row open.
  const fingerprint = s.plan.blocked ? null : await sessionFingerprint(key, s.tenant.id, s.plan).catch(() => null);
  // Workers: the row is ended in waitUntil, which outlives a client gone. A plain answer does not
  // wait for it (one database round trip saved); a stream, open anyway, writes its `result` only
  // after it, so the save that follows a streamed verify already shows that check.
  let recording: Promise<unknown> | undefined;
  const keep: Defer | undefined =
    defer && s.onStage
      ? (task) => {
          recording = task;
          defer(task);
        }
      : defer;
  const result = await sendAndRecordTest(
    deps.db,
    s.tenant,
    s.deliveryId,
    s.message,
    send,
    deps.now,
    keep,
    testedServer(s.plan),
    fingerprint ? { fingerprint, kind: s.kind } : undefined,
  );
  const smtpEnd = tSent || performance.now();
  await recording;
  await afterResponse(deps, s.tenant, s.plan, result, defer);
  const body = resultBody(deps, lang, s.plan, result);
  return { body, smtpEnd, end: performance.now() };
}

type CheckArgs = [
  deps: Deps,
  tenant: TenantIdentity,
  lang: Lang,
  draft: MailServerInput | undefined,
  defer: Defer | undefined,
];

export const prepareTest = (...args: CheckArgs) => prepareCheck(...args, 'test') as Promise<PreparedCheck<TestResult>>;

/** The same session up to RCPT TO the tenant's own address, then RSET and QUIT: nothing is sent. */
export const prepareVerify = (...args: CheckArgs) =>
  prepareCheck(...args, 'verify') as Promise<PreparedCheck<VerifyResultBody>>;
