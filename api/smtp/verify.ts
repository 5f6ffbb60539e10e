// A session up to the point of sending: connect, TLS, EHLO, AUTH, MAIL FROM the sender, RCPT TO one
// recipient, then RSET and QUIT. It catches "may not send as this address" before the first invoice
// without a message reaching anybody (DATA is never sent).
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { asciiDomain, domainOf } from './address.ts';
import { createConnection, timeoutsOf } from './connection.ts';
import { failedResult, sessionReport, startDeadline } from './send.ts';
import type { SendOptions, SendResult, SmtpSettings } from './types.ts';

export type VerifyResult =
  | { ok: true; response: string; transcript: ReturnType<typeof sessionReport>['transcript']; durationMs: number }
  | Extract<SendResult, { ok: false }>;

/** What SMTPTransport.verify uses of the transport (its typings leave these out). */
interface TransportInternals {
  options: SMTPConnection.Options;
  getSocket(options: object, callback: (error: Error | null, socketOptions?: object) => void): void;
  getAuth(options: object): SMTPConnection.AuthenticationType | null;
}

/**
 * SMTPConnection's command queue: a command and the handler of its reply. Its own envelope step
 * (`_setEnvelope`) always goes on to DATA (pipelined with PIPELINING), so a verify sends MAIL FROM
 * and RCPT TO itself, one at a time.
 */
interface CommandInternals {
  _sendCommand(line: string): void;
  _responseActions: ((reply: string) => void)[];
  _supportedExtensions: string[];
}

/** A reply other than 2xx, shaped like Nodemailer's own envelope errors (the stage comes from `command`). */
function refusedBy(command: 'MAIL FROM' | 'RCPT TO', reply: string): Error {
  return Object.assign(new Error(`${command} refused: ${reply}`), {
    code: 'EENVELOPE',
    command,
    response: reply,
    responseCode: Number.parseInt(reply.slice(0, 3), 10) || undefined,
  });
}

async function envelopeCommand(smtp: CommandInternals, command: 'MAIL FROM' | 'RCPT TO', line: string) {
  const reply = await new Promise<string>((resolve) => {
    smtp._responseActions.push(resolve);
    smtp._sendCommand(line);
  });
  if (!reply.startsWith('2')) throw refusedBy(command, reply);
  return reply;
}

type Step<T> = (done: (error: Error | null | undefined, value?: T) => void) => void;
const step = <T>(run: Step<T>) => new Promise<T>((resolve, reject) => run((e, v) => (e ? reject(e) : resolve(v as T))));

/** The envelope's steps on an open connection; resolves with the last RCPT reply. */
async function envelopeSession(
  internals: TransportInternals,
  envelope: { from: string; to: string },
  signal: AbortSignal,
) {
  const socketOptions = await step<object | undefined>((done) =>
    internals.getSocket({ ...internals.options, connectStartedAt: Date.now() }, done),
  );
  const smtp = new SMTPConnection({ ...internals.options, ...socketOptions });
  const ended = new Promise<never>((_, reject) => {
    smtp.once('error', reject);
    smtp.once('end', () => reject(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' })));
  });
  signal.addEventListener('abort', () => smtp.close(), { once: true });
  ended.catch(() => {});
  try {
    const session = async () => {
      await step((done) => smtp.connect(done));
      const auth = internals.getAuth({});
      if (auth) await step((done) => smtp.login(auth, done));
      const internal = smtp as unknown as CommandInternals;
      const international = /[^\x00-\x7f]/.test(envelope.from + envelope.to);
      const utf8 = international && internal._supportedExtensions.includes('SMTPUTF8') ? ' SMTPUTF8' : '';
      await envelopeCommand(internal, 'MAIL FROM', `MAIL FROM:<${envelope.from}>${utf8}`);
      const reply = await envelopeCommand(internal, 'RCPT TO', `RCPT TO:<${envelope.to}>`);
      await step((done) => smtp.reset(done));
      return reply;
    };
    return await Promise.race([session(), ended]);
  } finally {
    smtp.quit();
  }
}

/**
 * Verifies that these settings can send as `envelope.from`: never throws for SMTP problems, and the
 * result has the same stages, codes and transcript as a send.
 */
export async function verifySession(
  settings: SmtpSettings,
  envelope: { from: string; to: string },
  options: SendOptions,
): Promise<VerifyResult> {
  const started = performance.now();
  // The API checks both addresses; a line break here would smuggle a command into the session.
  if (/[\r\n<>]/.test(envelope.from + envelope.to))
    throw new Error('An envelope address holds a line break or angle bracket');
  const clientName = options.clientName ?? asciiDomain(domainOf(envelope.from)) ?? 'localhost';
  const connection = createConnection(settings, options, false, clientName);
  const internals = (connection.transport as unknown as { transporter: SMTPTransport })
    .transporter as unknown as TransportInternals;
  const deadline = startDeadline(timeoutsOf(options).totalMs, options.signal);
  try {
    const response = await Promise.race([envelopeSession(internals, envelope, deadline.signal), deadline.expired]);
    connection.recorder.stages?.pass();
    return { ok: true, response: connection.recorder.redact(response), ...sessionReport(connection, 0, started) };
  } catch (error) {
    return failedResult(deadline.reason() ?? error, connection, settings, options, 0, started) as VerifyResult;
  } finally {
    deadline.clear();
    connection.transport.close();
  }
}
