import type { CertificateInfo, SmtpErrorCode, SmtpStage } from '../../contract/index.ts';
import { codeOfReply, stageOfCommand } from './reply-codes.ts';
import type { SessionRecorder } from './transcript.ts';
import type { MailRuntime, NormalizedSmtpError } from './types.ts';

/**
 * A later session of a long batch needed a fresh access token and none could be had (the sign-in's
 * refresh failed); `reason` is the code the send fails with (Nodemailer overwrites `code`).
 */
export class AccessTokenRenewalError extends Error {
  readonly reason: SmtpErrorCode;
  readonly transient: boolean;
  constructor(reason: SmtpErrorCode, transient: boolean) {
    super('No fresh access token for the sign-in');
    this.reason = reason;
    this.transient = transient;
  }
}

/** Thrown (internally) when the whole send took longer than its budget. */
export class TotalTimeoutError extends Error {
  readonly code = 'ETOTALTIMEOUT';
  constructor() {
    super('The SMTP session took longer than allowed');
  }
}

/** Thrown (internally) when the caller ended the session (a cancelled test). */
export class CancelledError extends Error {
  readonly code = 'ECANCELLED';
  constructor() {
    super('The SMTP session was cancelled');
  }
}

/**
 * Thrown (internally, Node) when the server certificate is neither the pinned one nor (none
 * pinned) publicly trusted: the session ends before anything is sent over TLS.
 */
export class CertificateRefusedError extends Error {
  readonly code = 'ECERTREFUSED';
  constructor(
    readonly certificate: CertificateInfo,
    readonly pinned: boolean,
  ) {
    super(pinned ? 'The server certificate is not the pinned one' : 'The server certificate is not confirmed');
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

/** What the session recorder saw when the error came (tells errors without a command apart). */
type SessionState = Pick<
  SessionRecorder,
  'phase' | 'connected' | 'tlsHandshake' | 'starttlsPending' | 'serverLines'
> & {
  messageInFlight?: boolean;
};

interface ErrorContext {
  runtime: MailRuntime;
  security: 'none' | 'starttls' | 'tls';
}

/** The parts of a thrown error the classification reads. */
interface ErrorFacts {
  error: unknown;
  err: NodemailerError;
  /** Nodemailer's code (`EAUTH`, `ESOCKET`, …) or a system code it passed on. */
  nmCode: string;
  /** The system's own code (`ECONNREFUSED`, a certificate code, …) when there is one. */
  sysCode: string;
  message: string;
  responseCode: number | null;
  response: string | null;
  /** The enhanced status code of the reply (`5.7.1`). */
  enhanced: string | null;
}

/** A classification: the code, whether to retry, and the stage when the kind of error fixes it. */
interface Verdict {
  code: SmtpErrorCode;
  transient: boolean;
  stage?: SmtpStage;
}

type Classifier = (f: ErrorFacts, stage: SmtpStage, context: ErrorContext) => Verdict | null;

const NODEMAILER_CODES = ['ESOCKET', 'ECONNECTION', 'ETIMEDOUT', 'ETLS', 'EPROTOCOL', 'EAUTH', 'EENVELOPE', 'EMESSAGE'];

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

function factsOf(error: unknown): ErrorFacts {
  const err = (error ?? {}) as NodemailerError;
  const nmCode = err.code ?? '';
  const sysCode = err.originalCode ?? (nmCode.startsWith('E') && !NODEMAILER_CODES.includes(nmCode) ? nmCode : '');
  const responseCode = typeof err.responseCode === 'number' && err.responseCode > 0 ? err.responseCode : null;
  const response = typeof err.response === 'string' && err.response ? err.response.trim().slice(0, 1000) : null;
  return {
    error,
    err,
    nmCode,
    sysCode,
    message: String(err.message ?? err ?? ''),
    responseCode,
    response,
    enhanced: response?.match(/^\d{3}[ -](\d\.\d{1,3}\.\d{1,3})/)?.[1] ?? null,
  };
}

/** The stage from the command in flight, or else from the phase the session recorder saw. */
function stageOf({ err, nmCode }: ErrorFacts, session: SessionState | null): SmtpStage {
  let stage: SmtpStage = stageOfCommand(err.command) ?? session?.phase ?? 'connect';
  // A reply to a command sent pipelined with others: the command tells, not the last one sent.
  if (nmCode === 'EMESSAGE' && err.command === 'MAIL FROM') stage = 'mail';
  if (nmCode === 'EAUTH' || nmCode === 'ENOAUTH') stage = 'auth';
  if (session && stage === 'connect' && session.connected && !session.tlsHandshake) stage = 'greeting';
  if (session && (session.tlsHandshake || session.starttlsPending) && !stageOfCommand(err.command)) stage = 'tls';
  if (err.code === 'ETLS' || err.code === 'ECERTREFUSED' || err.originalCode === 'ECERTREFUSED') stage = 'tls';
  return stage;
}

/** Our own errors: the budget ran out, the certificate is not the confirmed one, the host is internal. */
const ownError: Classifier = ({ error, err }) => {
  if (error instanceof TotalTimeoutError || err.code === 'ETOTALTIMEOUT')
    return { code: 'total_timeout', transient: true };
  if (error instanceof CancelledError) return { code: 'cancelled', transient: false };
  if (error instanceof AccessTokenRenewalError)
    return { code: error.reason, transient: error.transient, stage: 'auth' };
  if (error instanceof CertificateRefusedError)
    return { code: error.pinned ? 'certificate_pin_mismatch' : 'certificate_unconfirmed', transient: false };
  // Refused before connecting (Node, resolve.ts): a configuration problem, not retried.
  if (err.code === 'EPRIVATEADDRESS') return { code: 'private_address', transient: false, stage: 'connect' };
  return null;
};

const serverReply: Classifier = ({ responseCode, enhanced, response }, stage) =>
  responseCode && responseCode >= 400
    ? { code: codeOfReply(stage, responseCode, enhanced, response ?? ''), transient: responseCode < 500 }
    : null;

const TIMEOUT_BY_STAGE: Partial<Record<SmtpStage, SmtpErrorCode>> = {
  connect: 'connection_timeout',
  greeting: 'greeting_timeout',
  tls: 'tls_timeout',
};

const timeout: Classifier = ({ nmCode, sysCode, message }, stage) =>
  nmCode === 'ETIMEDOUT' || sysCode === 'ETIMEDOUT' || /timed? ?out/i.test(message)
    ? { code: TIMEOUT_BY_STAGE[stage] ?? 'response_timeout', transient: true }
    : null;

const certificateByCode: Classifier = ({ sysCode, nmCode, err }) => {
  const code = [sysCode, nmCode, err.reason ?? ''].find((c) => Object.hasOwn(CERT_CODES, c));
  return code ? { code: CERT_CODES[code]!, transient: false, stage: 'tls' } : null;
};

/** DNS, a refused connection, no route: all at connect, all worth retrying. */
const unreachable: Classifier = ({ nmCode, sysCode, message }) => {
  // (not "DNS:" — certificate altname lists say "DNS:localhost"; a known certificate code wins before)
  if (
    nmCode === 'EDNS' ||
    sysCode === 'ENOTFOUND' ||
    sysCode === 'EAI_AGAIN' ||
    /ENOTFOUND|getaddrinfo|\bdns\b(?!:)/i.test(message)
  )
    return { code: 'host_not_found', transient: true, stage: 'connect' };
  if (sysCode === 'ECONNREFUSED' || /ECONNREFUSED|connection refused/i.test(message))
    return { code: 'connection_refused', transient: true, stage: 'connect' };
  if (sysCode === 'EHOSTUNREACH' || sysCode === 'ENETUNREACH')
    return { code: 'host_unreachable', transient: true, stage: 'connect' };
  return null;
};

const certificateByMessage: Classifier = ({ message }) => {
  if (!/self[- ]signed|unable to (verify|get)|certificate/i.test(message)) return null;
  const code: SmtpErrorCode = /expired/i.test(message)
    ? 'certificate_expired'
    : /altname|hostname|does not match/i.test(message)
      ? 'certificate_name_mismatch'
      : 'certificate_untrusted';
  return { code, transient: false, stage: 'tls' };
};

const authentication: Classifier = ({ nmCode, message }) => {
  if (nmCode !== 'EAUTH' && nmCode !== 'ENOAUTH') return null;
  const code: SmtpErrorCode = /unknown authentication method/i.test(message)
    ? 'auth_method_unsupported'
    : /missing credentials/i.test(message)
      ? 'auth_credentials_missing'
      : 'auth_failed';
  return { code, transient: false };
};

const protocol: Classifier = ({ nmCode }, stage) =>
  nmCode === 'EPROTOCOL'
    ? { code: stage === 'greeting' ? 'greeting_invalid' : 'protocol_error', transient: false }
    : null;

/** A TLS failure without a certificate code. */
const handshake: Classifier = ({ message }, stage, context) => {
  if (stage !== 'tls') return null;
  // workerd: "proxy request failed, cannot connect to the specified address" (implicit TLS) or
  // "internal error; reference = …" (STARTTLS). Nothing more precise reaches JavaScript; a
  // handshake failure there is nearly always a certificate the runtime does not trust.
  if (context.runtime === 'workers') return { code: 'tls_failed_workers', transient: false };
  return { code: /closed|reset|EPIPE/i.test(message) ? 'tls_closed' : 'tls_failed', transient: false };
};

const connectionLost: Classifier = ({ nmCode, sysCode, message }, stage, context) => {
  if (
    context.runtime === 'workers' &&
    stage === 'connect' &&
    /proxy request failed|cannot connect|network connection lost/i.test(message.toLowerCase())
  )
    return { code: 'connection_failed', transient: true };
  if (
    nmCode === 'ECONNECTION' ||
    nmCode === 'ESOCKET' ||
    sysCode === 'ECONNRESET' ||
    sysCode === 'EPIPE' ||
    /closed|reset|EPIPE|lost/i.test(message)
  )
    return { code: stage === 'connect' ? 'connection_failed' : 'connection_closed', transient: true };
  return null;
};

/** Nodemailer refused the message or the envelope itself (no server reply code). */
const refusedMessage: Classifier = ({ nmCode }, stage) => {
  if (nmCode === 'EMESSAGE') return { code: 'message_rejected', transient: false };
  if (nmCode === 'EENVELOPE')
    return { code: stage === 'rcpt' ? 'recipient_rejected' : 'sender_rejected', transient: false };
  return null;
};

/** In order: the first that recognises the error decides. */
const CLASSIFIERS: Classifier[] = [
  ownError,
  serverReply,
  timeout,
  certificateByCode,
  unreachable,
  certificateByMessage,
  authentication,
  protocol,
  handshake,
  connectionLost,
  refusedMessage,
];

/**
 * Turns whatever Nodemailer or the socket threw into `{ stage, code, responseCode, response,
 * transient }`. The stage comes from the command in flight, or else from the phase the session
 * recorder saw (inside workerd TLS errors are vague, so the phase is what tells them apart).
 */
export function normalizeSmtpError(
  error: unknown,
  session: SessionState | null,
  context: ErrorContext,
): NormalizedSmtpError {
  const facts = factsOf(error);
  const seen = stageOf(facts, session);
  let verdict: Verdict = { code: 'unknown', transient: false };
  for (const classify of CLASSIFIERS) {
    const found = classify(facts, seen, context);
    if (found) {
      verdict = found;
      break;
    }
  }
  const { nmCode, sysCode, responseCode, response } = facts;
  return {
    stage: verdict.stage ?? seen,
    code: verdict.code,
    responseCode,
    response,
    transient: verdict.transient,
    ...(nmCode || sysCode ? { cause: [nmCode, sysCode].filter(Boolean).join('/') } : {}),
    // No verdict on a message already handed over: it may have been taken.
    ...(session?.messageInFlight && !responseCode ? { deliveryUnknown: true } : {}),
    ...(error instanceof CertificateRefusedError ? { certificate: error.certificate } : {}),
  };
}
