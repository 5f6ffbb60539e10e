import type { SmtpErrorCode, SmtpStage } from '../../contract/index.ts';
import type { SessionRecorder } from './transcript.ts';
import type { MailRuntime, NormalizedSmtpError } from './types.ts';

/** Thrown (internally) when the whole send took longer than its budget. */
export class TotalTimeoutError extends Error {
  readonly code = 'ETOTALTIMEOUT';
  constructor() {
    super('The SMTP session took longer than allowed');
  }
}

/** Thrown (internally, Node) when the server certificate is not the pinned one. */
export class PinMismatchError extends Error {
  readonly code = 'EPINMISMATCH';
  constructor() {
    super('The server certificate does not match the pinned fingerprint');
  }
}

interface NodemailerError extends Error {
  code?: string;
  originalCode?: string;
  command?: string;
  response?: string;
  responseCode?: number;
  reason?: string;
}

/** Node's certificate error codes, by what they mean to a tenant. */
const CERT_CODES: { [nodeCode: string]: SmtpErrorCode } = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate_untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate_untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate_untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'certificate_untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'certificate_untrusted',
  CERT_UNTRUSTED: 'certificate_untrusted',
  CERT_HAS_EXPIRED: 'certificate_expired',
  CERT_NOT_YET_VALID: 'certificate_expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate_name_mismatch',
  HOSTNAME_MISMATCH: 'certificate_name_mismatch',
};

function stageOfCommand(command: string | undefined): SmtpStage | null {
  if (!command) return null;
  const c = command.toUpperCase();
  if (c === 'MAIL FROM') return 'mail';
  if (c === 'RCPT TO') return 'rcpt';
  if (c === 'DATA') return 'data';
  if (c.startsWith('AUTH')) return 'auth';
  if (c === 'EHLO' || c === 'HELO' || c === 'LHLO') return 'ehlo';
  if (c === 'STARTTLS') return 'tls';
  return null;
}

/**
 * Turns whatever Nodemailer or the socket threw into `{ stage, code, responseCode, response,
 * transient }`. The stage comes from the command in flight, or else from the phase the session
 * recorder saw (inside workerd TLS errors are vague, so the phase is what tells them apart).
 */
export function normalizeSmtpError(
  error: unknown,
  session:
    | (Pick<SessionRecorder, 'phase' | 'connected' | 'tlsHandshake' | 'starttlsPending' | 'serverLines'> & {
        messageInFlight?: boolean;
      })
    | null,
  context: { runtime: MailRuntime; security: 'none' | 'starttls' | 'tls' },
): NormalizedSmtpError {
  const err = (error ?? {}) as NodemailerError;
  const nmCode = err.code ?? '';
  const sysCode =
    err.originalCode ??
    (nmCode.startsWith('E') &&
    !['ESOCKET', 'ECONNECTION', 'ETIMEDOUT', 'ETLS', 'EPROTOCOL', 'EAUTH', 'EENVELOPE', 'EMESSAGE'].includes(nmCode)
      ? nmCode
      : '');
  const message = String(err.message ?? err ?? '');
  const responseCode = typeof err.responseCode === 'number' && err.responseCode > 0 ? err.responseCode : null;
  const response = typeof err.response === 'string' && err.response ? err.response.trim().slice(0, 1000) : null;
  const enhanced = response?.match(/^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})/)?.[1] ?? null;

  let stage: SmtpStage = stageOfCommand(err.command) ?? session?.phase ?? 'connect';
  // A reply to a command sent pipelined with others: the command tells, not the last one sent.
  if (nmCode === 'EMESSAGE' && err.command === 'MAIL FROM') stage = 'mail';
  if (nmCode === 'EAUTH' || nmCode === 'ENOAUTH') stage = 'auth';
  if (session && stage === 'connect' && session.connected && !session.tlsHandshake) stage = 'greeting';
  if (session && (session.tlsHandshake || session.starttlsPending) && !stageOfCommand(err.command)) stage = 'tls';
  if (err.code === 'ETLS' || err.code === 'EPINMISMATCH' || err.originalCode === 'EPINMISMATCH') stage = 'tls';

  let code: SmtpErrorCode = 'unknown';
  let transient = false;
  const lower = message.toLowerCase();

  if (error instanceof TotalTimeoutError || err.code === 'ETOTALTIMEOUT') {
    code = 'total_timeout';
    transient = true;
  } else if (err.code === 'EPINMISMATCH' || err.originalCode === 'EPINMISMATCH') {
    code = 'certificate_pin_mismatch';
  } else if (err.code === 'EPRIVATEADDRESS') {
    // Refused before connecting (Node, api/mail/resolve.ts): a configuration problem, not retried.
    stage = 'connect';
    code = 'private_address';
  } else if (responseCode && responseCode >= 400) {
    transient = responseCode < 500;
    code = replyCode(stage, responseCode, enhanced, response ?? '', err.command);
  } else if (nmCode === 'ETIMEDOUT' || sysCode === 'ETIMEDOUT' || /timed? ?out/i.test(message)) {
    transient = true;
    code =
      stage === 'connect'
        ? 'connection_timeout'
        : stage === 'greeting'
          ? 'greeting_timeout'
          : stage === 'tls'
            ? 'tls_timeout'
            : 'response_timeout';
  } else if (CERT_CODES[sysCode] || CERT_CODES[nmCode] || CERT_CODES[err.reason ?? '']) {
    stage = 'tls';
    code = CERT_CODES[sysCode] ?? CERT_CODES[nmCode] ?? CERT_CODES[err.reason ?? ''] ?? 'certificate_untrusted';
  } else if (
    nmCode === 'EDNS' ||
    sysCode === 'ENOTFOUND' ||
    sysCode === 'EAI_AGAIN' ||
    /ENOTFOUND|getaddrinfo|\bdns\b(?!:)/i.test(message)
  ) {
    // (not "DNS:" — certificate altname lists say "DNS:localhost"; a known certificate code wins above)
    stage = 'connect';
    code = 'host_not_found';
    transient = true;
  } else if (sysCode === 'ECONNREFUSED' || /ECONNREFUSED|connection refused/i.test(message)) {
    stage = 'connect';
    code = 'connection_refused';
    transient = true;
  } else if (sysCode === 'EHOSTUNREACH' || sysCode === 'ENETUNREACH') {
    stage = 'connect';
    code = 'host_unreachable';
    transient = true;
  } else if (/self[- ]signed|unable to (verify|get)|certificate/i.test(message)) {
    stage = 'tls';
    code = /expired/i.test(message)
      ? 'certificate_expired'
      : /altname|hostname|does not match/i.test(message)
        ? 'certificate_name_mismatch'
        : 'certificate_untrusted';
  } else if (nmCode === 'EAUTH' || nmCode === 'ENOAUTH') {
    code = /unknown authentication method/i.test(message)
      ? 'auth_method_unsupported'
      : /missing credentials/i.test(message)
        ? 'auth_credentials_missing'
        : 'auth_failed';
  } else if (nmCode === 'EPROTOCOL') {
    code = stage === 'greeting' ? 'greeting_invalid' : 'protocol_error';
  } else if (stage === 'tls') {
    // workerd: "proxy request failed, cannot connect to the specified address" (implicit TLS) or
    // "internal error; reference = …" (STARTTLS). Nothing more precise reaches JavaScript; a
    // handshake failure there is nearly always a certificate the runtime does not trust.
    code =
      context.runtime === 'workers'
        ? 'tls_failed_workers'
        : /closed|reset|EPIPE/i.test(message)
          ? 'tls_closed'
          : 'tls_failed';
    transient = false;
  } else if (
    context.runtime === 'workers' &&
    stage === 'connect' &&
    /proxy request failed|cannot connect|network connection lost/i.test(lower)
  ) {
    code = 'connection_failed';
    transient = true;
  } else if (
    nmCode === 'ECONNECTION' ||
    nmCode === 'ESOCKET' ||
    sysCode === 'ECONNRESET' ||
    sysCode === 'EPIPE' ||
    /closed|reset|EPIPE|lost/i.test(message)
  ) {
    code = stage === 'connect' ? 'connection_failed' : 'connection_closed';
    transient = true;
  } else if (nmCode === 'EMESSAGE') {
    code = 'message_rejected';
  } else if (nmCode === 'EENVELOPE') {
    code = stage === 'rcpt' ? 'recipient_rejected' : 'sender_rejected';
  }
  return {
    stage,
    code,
    responseCode,
    response,
    transient,
    ...(nmCode || sysCode ? { cause: [nmCode, sysCode].filter(Boolean).join('/') } : {}),
    // No verdict on a message already handed over: it may have been taken.
    ...(session?.messageInFlight && !responseCode ? { deliveryUnknown: true } : {}),
  };
}

function replyCode(
  stage: SmtpStage,
  responseCode: number,
  enhanced: string | null,
  response: string,
  command: string | undefined,
): SmtpErrorCode {
  const temporary = responseCode < 500;
  if (responseCode === 421) return 'server_unavailable';
  if (stage === 'greeting') return temporary ? 'server_unavailable' : 'greeting_rejected';
  if (stage === 'tls') return temporary ? 'tls_unavailable_temporary' : 'starttls_unavailable';
  if (stage === 'ehlo') return temporary ? 'server_unavailable' : 'ehlo_rejected';
  if (stage === 'auth') {
    if (temporary) return 'auth_temporary';
    if (responseCode === 504 || /mechanism|not supported|unrecognized authentication/i.test(response))
      return 'auth_method_unsupported';
    if (responseCode === 534 || enhanced === '5.7.9' || /application-specific|app password|web ?login/i.test(response))
      return 'auth_app_password_required';
    if (responseCode === 503 || responseCode === 500 || responseCode === 502) return 'auth_unavailable';
    if (responseCode === 538 || enhanced === '5.7.11') return 'auth_encryption_required';
    return 'auth_failed';
  }
  if (
    responseCode === 552 ||
    enhanced === '5.3.4' ||
    enhanced === '5.2.3' ||
    (enhanced === '5.2.2' && stage === 'data')
  )
    return 'message_too_large';
  if (responseCode === 530 || (enhanced === '5.7.0' && /auth/i.test(response))) return 'auth_required';
  if (stage === 'mail') {
    if (temporary) return 'temporary_failure';
    if (
      enhanced === '5.7.1' ||
      /relay|not owned|not allowed|not permitted|send ?as|sender address rejected|mismatch/i.test(response)
    )
      return 'relay_denied';
    return 'sender_rejected';
  }
  if (stage === 'rcpt') {
    if (temporary) return 'recipient_temporary';
    if (enhanced === '5.7.1' && /relay/i.test(response)) return 'relay_denied';
    return 'recipient_rejected';
  }
  if (stage === 'data') {
    if (temporary) return 'temporary_failure';
    if (enhanced?.startsWith('5.7.')) return 'message_rejected_policy';
    return 'message_rejected';
  }
  void command;
  return temporary ? 'temporary_failure' : 'rejected';
}
