import type Mailer from 'nodemailer/lib/mailer';
import { asciiDomain, domainOf } from './address.ts';
import { composeMessage } from './compose.ts';
import { type Connection, createConnection, timeoutsOf } from './connection.ts';
import { normalizeSmtpError, TotalTimeoutError } from './errors.ts';
import { buildMailData } from './mail-data.ts';
import type { OutgoingMessage, SendOptions, SendResult, SmtpSettings } from './types.ts';

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
  const timeouts = timeoutsOf(options);
  const data = buildMailData(message);
  // A pooled session's recorder outlives messages (and reconnects): an earlier one's "in flight" is not this one's.
  connection.recorder.messageInFlight = false;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new TotalTimeoutError());
      controller.abort();
    }, timeouts.totalMs);
  });
  const { recorder } = connection;
  try {
    // Composed into one Buffer first (compose.ts): the body reaches the socket in one write.
    const send = async () => {
      const raw = await composeMessage(data);
      return connection.transport.sendMail({
        raw,
        envelope: data.envelope,
        ...(abortable ? { signal: controller.signal } : {}),
      } as unknown as Mailer.Options);
    };
    const info = await Promise.race([send(), deadline]);
    // A server may say the password back (what it was given); that must not reach a response or the database.
    const response = recorder.redact(String(info.response ?? ''));
    return {
      ok: true,
      // The id in the composed headers (Nodemailer knows none for a raw message).
      messageId: data.messageId,
      response,
      accepted: (info.accepted ?? []).map(String),
      rejected: (info.rejected ?? []).map(String),
      rejectedDetails: (
        (info.rejectedErrors ?? []) as { recipient?: unknown; responseCode?: unknown; response?: unknown }[]
      ).map((e) => ({
        recipient: String(e.recipient ?? ''),
        responseCode: typeof e.responseCode === 'number' ? e.responseCode : null,
        response: typeof e.response === 'string' ? recorder.redact(e.response) : null,
      })),
      transcript: recorder.transcript().slice(transcriptFrom),
      ...(connection.certificateSha256() ? { certificateSha256: connection.certificateSha256() } : {}),
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    const normalized = normalizeSmtpError(timedOut ? new TotalTimeoutError() : error, recorder, {
      runtime: options.runtime,
      security: settings.security,
    });
    if (normalized.response) normalized.response = recorder.redact(normalized.response);
    recorder.info(
      `Failed at ${normalized.stage}: ${normalized.code}${normalized.response ? ` (${normalized.response.split('\n')[0]})` : ''}`,
    );
    return {
      ok: false,
      error: normalized,
      transcript: recorder.transcript().slice(transcriptFrom),
      ...(connection.certificateSha256() ? { certificateSha256: connection.certificateSha256() } : {}),
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
    deadline.catch(() => {});
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
