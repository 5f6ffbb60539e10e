import type Mailer from 'nodemailer/lib/mailer';
import { asciiDomain, domainOf } from './address.ts';
import { composeMessage } from './compose.ts';
import { type Connection, createConnection, timeoutsOf } from './connection.ts';
import { CancelledError, normalizeSmtpError, TotalTimeoutError } from './errors.ts';
import { buildMailData } from './mail-data.ts';
import type { OutgoingMessage, SendOptions, SendResult, SmtpSettings } from './types.ts';

/**
 * The whole send's budget, and the caller's cancel: when either ends it, `expired` rejects and
 * `signal` aborts; `reason()` then names which (the session's own error is only a consequence).
 */
export function startDeadline(totalMs: number, cancel?: AbortSignal) {
  const controller = new AbortController();
  let reason: TotalTimeoutError | CancelledError | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let end = (_: TotalTimeoutError | CancelledError) => {};
  const expired = new Promise<never>((_, reject) => {
    end = (error) => {
      reason ??= error;
      reject(reason);
      controller.abort();
    };
    timer = setTimeout(() => end(new TotalTimeoutError()), totalMs);
  });
  const onCancel = () => end(new CancelledError());
  if (cancel?.aborted) onCancel();
  cancel?.addEventListener('abort', onCancel, { once: true });
  return {
    expired,
    signal: controller.signal,
    reason: () => reason,
    clear: () => {
      clearTimeout(timer);
      cancel?.removeEventListener('abort', onCancel);
      expired.catch(() => {});
    },
  };
}

/** What Nodemailer reports for a sent message (its typings leave it `any`). */
interface SentInfo {
  response?: unknown;
  accepted?: unknown[];
  rejected?: unknown[];
  rejectedErrors?: { recipient?: unknown; responseCode?: unknown; response?: unknown }[];
}

/** The lines of this message and the time taken: common to both outcomes. */
export function sessionReport(connection: Connection, transcriptFrom: number, started: number) {
  return {
    transcript: connection.recorder.transcript().slice(transcriptFrom),
    durationMs: Math.round(performance.now() - started),
  };
}

function sentResult(
  info: SentInfo,
  messageId: string,
  connection: Connection,
  transcriptFrom: number,
  started: number,
): SendResult {
  const { recorder } = connection;
  recorder.stages?.pass();
  return {
    ok: true,
    // The id in the composed headers (Nodemailer knows none for a raw message).
    messageId,
    // A server may say the password back (what it was given); that must not reach a response or the database.
    response: recorder.redact(String(info.response ?? '')),
    accepted: (info.accepted ?? []).map(String),
    rejected: (info.rejected ?? []).map(String),
    rejectedDetails: (info.rejectedErrors ?? []).map((e) => ({
      recipient: String(e.recipient ?? ''),
      responseCode: typeof e.responseCode === 'number' ? e.responseCode : null,
      response: typeof e.response === 'string' ? recorder.redact(e.response) : null,
    })),
    ...sessionReport(connection, transcriptFrom, started),
  };
}

export function failedResult(
  error: unknown,
  connection: Connection,
  settings: SmtpSettings,
  options: SendOptions,
  transcriptFrom: number,
  started: number,
): SendResult {
  const { recorder } = connection;
  const normalized = normalizeSmtpError(error, recorder, { runtime: options.runtime, security: settings.security });
  if (normalized.response) normalized.response = recorder.redact(normalized.response);
  recorder.stages?.fail(normalized.stage, normalized.response);
  recorder.info(
    `Failed at ${normalized.stage}: ${normalized.code}${normalized.response ? ` (${normalized.response.split('\n')[0]})` : ''}`,
  );
  return { ok: false, error: normalized, ...sessionReport(connection, transcriptFrom, started) };
}

/** Without 354 no message was opened: what the server said to the text after it is no verdict. */
function dataNot354Error(reply: string): Error {
  return Object.assign(new Error(`DATA answered "${reply}" instead of 354`), {
    code: 'EPROTOCOL',
    command: 'DATA',
    response: reply,
  });
}

/** One message over an open connection; `transcriptFrom` skips the lines of earlier messages on it. */
export async function sendThrough(
  connection: Connection,
  message: OutgoingMessage,
  settings: SmtpSettings,
  options: SendOptions,
  transcriptFrom: number,
  abortable: boolean,
): Promise<SendResult> {
  const started = performance.now();
  const data = buildMailData(message);
  // A pooled session's recorder outlives messages (and reconnects): an earlier one's "in flight" is not this one's.
  connection.recorder.messageInFlight = false;
  connection.recorder.dataReplyNot354 = null;
  const deadline = startDeadline(timeoutsOf(options).totalMs, options.signal);
  try {
    // Composed into one Buffer first (compose.ts): the body reaches the socket in one write.
    const send = async (): Promise<SentInfo> => {
      const raw = await composeMessage(data);
      return connection.transport.sendMail({
        raw,
        envelope: data.envelope,
        ...(abortable ? { signal: deadline.signal } : {}),
      } as unknown as Mailer.Options);
    };
    const info = await Promise.race([send(), deadline.expired]);
    const dataReply = connection.recorder.dataReplyNot354;
    if (dataReply !== null) throw dataNot354Error(dataReply);
    return sentResult(info, data.messageId, connection, transcriptFrom, started);
  } catch (error) {
    return failedResult(deadline.reason() ?? error, connection, settings, options, transcriptFrom, started);
  } finally {
    deadline.clear();
  }
}

/**
 * Sends one message over a fresh connection and says exactly what happened. Never throws for
 * SMTP problems (only for a message with CR/LF in a header value, which the API rejects first).
 */
export async function sendMessage(
  settings: SmtpSettings,
  message: OutgoingMessage,
  options: SendOptions,
): Promise<SendResult> {
  const connection = createConnection(
    settings,
    options,
    false,
    options.clientName ?? asciiDomain(domainOf(message.from.address)) ?? 'localhost',
  );
  try {
    return await sendThrough(connection, message, settings, options, 0, true);
  } finally {
    connection.transport.close();
  }
}
