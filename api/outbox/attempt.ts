// The outcome rules of one delivery attempt, without I/O: which route a row goes through, what
// a server's reply means for the row (sent, retried, failed), and when the system relay takes over.

import type { DeliveryError, DeliveryRow, MailServerRow } from '../db/schema.ts';
import type { NormalizedSmtpError, RejectedRecipient, SendResult } from '../smtp/types.ts';
import { nextRetryDelay } from './policy.ts';
import { splitRecipients } from './recipients.ts';
import type { AttemptOutcome } from './record.ts';

/** The parts of a row the rules read. */
export type AttemptRow = Pick<
  DeliveryRow,
  | 'route'
  | 'recipients'
  | 'acceptedRecipients'
  | 'attempts'
  | 'routeSinceAttempt'
  | 'fallbackAtAttempt'
  | 'interruptions'
  | 'routePinned'
>;

/** The tenant's server as the rules see it (none: the tenant sends through the system relay). */
export type AttemptServer = Pick<
  MailServerRow,
  'host' | 'port' | 'security' | 'fallbackToSystem' | 'authMethod' | 'oauthProvider'
>;

/** What one send on a route came back with (a route that cannot be used fails like a send). */
export type RouteResult =
  | Pick<Extract<SendResult, { ok: true }>, 'ok' | 'response' | 'accepted' | 'rejected' | 'rejectedDetails'>
  | { ok: false; error: NormalizedSmtpError };

export interface AttemptInput {
  row: AttemptRow;
  server: AttemptServer | undefined;
  /** Seconds before each retry (the retry budget of one route). */
  retryDelays: number[];
  now: Date;
}

/** The next thing an attempt does: send through a route to the recipients not in `accepted`, or end. */
export type AttemptStep =
  | { send: 'tenant' | 'system'; route: AttemptOutcome['route']; accepted: string[] }
  | { outcome: AttemptOutcome };

/**
 * The attempt's next step after the sends it has made so far (`results`, in order): call it with
 * none, send as it says, and call it again with the results until it returns an outcome.
 */
export function nextAttemptStep(input: AttemptInput, results: RouteResult[]): AttemptStep {
  const { row, server } = input;
  const done = row.acceptedRecipients ?? [];
  if (row.route === 'system-fallback' && server && !server.fallbackToSystem && !row.routePinned) {
    // The tenant turned the fallback off after its server had failed for good: nothing more goes
    // out through the relay; the message ends as it would have with the fallback off back then.
    const error = { stage: 'connect', code: 'fallback_turned_off', responseCode: null, response: null };
    return { outcome: ended(input, { status: 'failed', route: row.route, error }) };
  }
  // A pinned route (the tenant's "send via the system mail server", a notice) is taken as chosen.
  const first: AttemptOutcome['route'] =
    row.routePinned && row.route
      ? row.route
      : row.route === 'system-fallback'
        ? 'system-fallback'
        : server
          ? 'tenant'
          : 'system';
  const [firstResult, fallbackResult] = results;
  if (!firstResult) return { send: first === 'tenant' ? 'tenant' : 'system', route: first, accepted: done };
  const outcome = routeOutcome(input, first, firstResult, done, attemptsOn(row, first));
  if (first !== 'tenant' || !fallbackTakesOver(input, outcome)) return { outcome: ended(input, outcome) };
  // The tenant's server failed for good (for all recipients or the rest) and the tenant allowed
  // it: the system relay takes over what is left, with a retry budget of its own.
  const tenantDone = outcome.acceptedRecipients ?? done;
  if (!fallbackResult) return { send: 'system', route: 'system-fallback', accepted: tenantDone };
  const extra = { fallbackReason: outcome.error!, fallbackAtAttempt: row.attempts, acceptedRecipients: tenantDone };
  return { outcome: ended(input, routeOutcome(input, 'system-fallback', fallbackResult, tenantDone, 1, extra)) };
}

/** Whether the relay takes over a tenant-route outcome: failed for good, allowed, and the tenant's server cannot have it. */
function fallbackTakesOver({ row, server }: AttemptInput, outcome: AttemptOutcome): boolean {
  // A message the tenant's server may already have (an earlier attempt was cut off or got no
  // verdict after the whole message, or its DATA was not answered with 354 and the text went
  // after it all the same) never also goes through the relay.
  const error = outcome.error;
  const mayHaveIt =
    row.interruptions >= 1 ||
    error?.code === 'delivery_unknown' ||
    (error?.stage === 'data' && error.code === 'protocol_error');
  return outcome.status === 'failed' && !!server?.fallbackToSystem && !mayHaveIt;
}

/** This attempt's number on `route`: a route taken up now starts with the whole retry budget. */
export function attemptsOn(row: AttemptRow, route: AttemptOutcome['route']): number {
  if (row.route !== route) return 1;
  // A fallback recorded by a Worker older than route_since_attempt (deployed after migrating) left it at 1.
  const since =
    route === 'system-fallback' ? Math.max(row.routeSinceAttempt, row.fallbackAtAttempt ?? 0) : row.routeSinceAttempt;
  return row.attempts - since + 1;
}

/** The outcome of one send on a route; `attemptsOnRoute` counts this attempt. */
function routeOutcome(
  input: AttemptInput,
  route: AttemptOutcome['route'],
  result: RouteResult,
  done: string[],
  attemptsOnRoute: number,
  extra: Partial<AttemptOutcome> = {},
): AttemptOutcome {
  if (!result.ok) return retryOrFail(input, route, result.error, attemptsOnRoute, extra);
  const { recipients } = input.row;
  const all = [...recipients.to, ...recipients.cc, ...recipients.bcc];
  const rejected = [
    ...result.rejectedDetails,
    // A refusal Nodemailer listed without a reply counts as temporary.
    ...result.rejected
      .filter((r) => !result.rejectedDetails.some((d) => d.recipient === r))
      .map((r) => ({ recipient: r, responseCode: null, response: null })),
  ];
  const split = splitRecipients(all, result.accepted, rejected);
  const base = { ...extra, route, smtpResponse: result.response, acceptedRecipients: [...done, ...split.accepted] };
  if (split.rejected.length === 0) return { status: 'sent', sentAt: input.now, ...base };
  return retryOrFail(input, route, refusedRecipientsError(split.rejected), attemptsOnRoute, base);
}

/** A failed send: retried while the route's budget lasts and the error is transient, else failed. */
function retryOrFail(
  { row, server, retryDelays, now }: AttemptInput,
  route: AttemptOutcome['route'],
  error: NormalizedSmtpError,
  attemptsOnRoute: number,
  extra: Partial<AttemptOutcome>,
): AttemptOutcome {
  const delay = error.transient ? nextRetryDelay(retryDelays, attemptsOnRoute) : null;
  const stored = asDeliveryError(
    error,
    route === 'tenant' && server
      ? {
          host: server.host,
          port: server.port,
          security: server.security,
          authMethod: server.authMethod,
          oauthProvider: server.oauthProvider,
        }
      : undefined,
  );
  const retry = (interrupted: boolean): AttemptOutcome => ({
    status: 'retrying',
    route,
    error: stored,
    nextAttemptAt: new Date(now.getTime() + delay! * 1000),
    ...(interrupted ? { interrupted } : {}),
    ...extra,
  });
  if (error.deliveryUnknown) {
    // Handed over without a verdict, so the server may have it: like an attempt cut off by a
    // crash, it is sent again at most once (interruptions), never through the fallback too.
    if (row.interruptions >= 1 || delay === null)
      return { status: 'failed', route, error: { ...stored, code: 'delivery_unknown' }, ...extra };
    return retry(true);
  }
  return delay === null ? { status: 'failed', route, error: stored, ...extra } : retry(false);
}

/** Failed for good while some recipients have it: the message was sent, the failure stays as its error. */
function ended({ row, now }: AttemptInput, outcome: AttemptOutcome): AttemptOutcome {
  if (outcome.status !== 'failed' || (outcome.acceptedRecipients ?? row.acceptedRecipients ?? []).length === 0)
    return outcome;
  const error =
    outcome.error?.code === 'recipients_rejected' ? { ...outcome.error, code: 'recipients_refused' } : outcome.error;
  return { ...outcome, status: 'sent', sentAt: now, error };
}

/** The refusal of some recipients, as the error of an attempt that reached the others. */
export function refusedRecipientsError(rejected: RejectedRecipient[]): NormalizedSmtpError {
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

/** `server`: the tenant's server it came from (named in the message shown); none for the system relay. */
function asDeliveryError(e: NormalizedSmtpError, server?: DeliveryError['server']): DeliveryError {
  return {
    stage: e.stage,
    code: e.code,
    responseCode: e.responseCode,
    response: e.response,
    ...(server ? { server } : {}),
  };
}

/** Never an empty mail in place of the invoice: a row whose body is gone ends failed, saying so. */
export function payloadMissing(row: Pick<DeliveryRow, 'route'>): AttemptOutcome {
  return {
    status: 'failed',
    route: row.route,
    error: { stage: 'data', code: 'payload_missing', responseCode: null, response: null },
  };
}

/** A stored message that cannot be built (damaged data; the API checks what it accepts): it ends failed. */
export function payloadUnusable(row: Pick<DeliveryRow, 'route'>): AttemptOutcome {
  return {
    status: 'failed',
    route: row.route,
    error: { stage: 'data', code: 'payload_unusable', responseCode: null, response: null },
  };
}
