import net from 'node:net';
import tls from 'node:tls';
import Mailer from 'nodemailer/lib/mailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import { asciiDomain, domainOf } from './address.ts';
import { composeMessage } from './compose.ts';
import { makeMessageId } from './message-id.ts';
import { PinMismatchError, normalizeSmtpError, TotalTimeoutError } from './errors.ts';
import { installSocketRejectionGuard, noteTlsHandshake } from './guard.ts';
import { normalizeFingerprint, registerTlsSocketHook, type TlsSocketHook } from './pin.ts';
import { fixedLookup, PrivateAddressError, resolveTarget } from './resolve.ts';
import { SessionRecorder } from './transcript.ts';
import { toAsciiDomain } from '../../contract/rules/host.ts';
import { waitAtMost } from '../util/wait-at-most.ts';
import {
  DEFAULT_TIMEOUTS,
  type Address,
  type OutgoingMessage,
  type ResolvedAddress,
  type SendOptions,
  type SendResult,
  type SmtpSettings,
  type SmtpTimeouts,
} from './types.ts';

const HEADER_UNSAFE = /[\r\n\0]/;

function timeoutsOf(options: SendOptions): SmtpTimeouts {
  const t = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  return { ...t, totalMs: Math.max(t.totalMs, 1) };
}

const addr = (a: string | Address): { address: string; name: string } =>
  typeof a === 'string' ? { address: a, name: '' } : { address: a.address, name: a.name ?? '' };

function assertHeaderSafe(values: (string | null | undefined)[]): void {
  for (const value of values) {
    if (value && HEADER_UNSAFE.test(value)) throw new TypeError('header values must not contain CR, LF or NUL');
  }
}

/** Nodemailer message data (the compose step) for one outgoing message. */
export function buildMailData(message: OutgoingMessage): Record<string, unknown> & { messageId: string } {
  const to = message.to.map(addr);
  const cc = (message.cc ?? []).map(addr);
  const bcc = (message.bcc ?? []).map(addr);
  const replyTo = message.replyTo ? addr(message.replyTo) : null;
  assertHeaderSafe([
    message.from.address,
    message.from.name,
    message.subject,
    replyTo?.address,
    replyTo?.name,
    ...[...to, ...cc, ...bcc].flatMap((a) => [a.address, a.name]),
    ...(message.attachments ?? []).map((a) => a.filename),
    ...Object.entries(message.headers ?? {}).flat(),
  ]);
  const messageId = message.messageId ?? makeMessageId(message.from.address);
  return {
    from: { name: message.from.name ?? '', address: message.from.address },
    ...(replyTo ? { replyTo } : {}),
    to,
    ...(cc.length ? { cc } : {}),
    ...(bcc.length ? { bcc } : {}),
    subject: message.subject,
    ...(message.text !== undefined ? { text: message.text } : {}),
    ...(message.html !== undefined ? { html: message.html } : {}),
    attachments: (message.attachments ?? []).map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength),
      ...(a.contentType ? { contentType: a.contentType } : {}),
    })),
    messageId,
    date: message.date ?? new Date(),
    headers: message.headers ?? {},
    // MAIL FROM = the sender, so bounces return to the tenant; Bcc only in the envelope.
    envelope: { from: message.from.address, to: [...to, ...cc, ...bcc].map((a) => a.address) },
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}

/**
 * A server that closes right after accepting can do so before Nodemailer attaches its own
 * 'close' listener (it does so a tick after getSocket hands the socket over); inside workerd
 * the event is then lost and the send would wait for a greeting until it times out. A 'close'
 * listener added after the socket closed is called on the next turn instead.
 */
function lateCloseListeners(socket: net.Socket): void {
  let closed = false;
  socket.once('close', () => {
    closed = true;
  });
  const once = socket.once.bind(socket);
  socket.once = ((event: string | symbol, listener: (...args: unknown[]) => void) => {
    if (closed && event === 'close') {
      setTimeout(() => listener.call(socket, false), 0);
      return socket;
    }
    return once(event as string, listener);
  }) as typeof socket.once;
}

interface Connection {
  transport: Mailer;
  recorder: SessionRecorder;
  certificateSha256: () => string | undefined;
}

/**
 * Nodemailer transport options for the settings, with the socket adapter: the socket is
 * opened here BY HOST NAME for every mode (workerd ignores `servername` when Nodemailer
 * connects by IP, and Nodemailer's own DNS lookups inside workerd go over DNS-over-HTTPS).
 * On Node with `options.addressGuard`, the name is resolved once and checked first, and the
 * socket (still opened by name, so TLS verifies against it) connects only to those addresses.
 */
function createConnection(settings: SmtpSettings, options: SendOptions, pool: boolean, clientName: string): Connection {
  installSocketRejectionGuard();
  const timeouts = timeoutsOf(options);
  const recorder = new SessionRecorder([settings.auth.password]);
  // The name as DNS and certificates know it: IDNA A-labels (`smtp.müller.de` → `smtp.xn--mller-kva.de`,
  // `smtp。example。com` → `smtp.example.com`); IP literals as they are.
  const host = toAsciiDomain(settings.host) ?? settings.host;
  const node = options.runtime === 'node';
  const pin = node && settings.tlsPinSha256 ? normalizeFingerprint(settings.tlsPinSha256) : null;
  const capture = node && (Boolean(settings.captureUntrustedCertificate) || Boolean(pin));
  let fingerprint: string | undefined;

  // Node only: certificate pinning / capture, checked on the TLS socket before anything is sent on it.
  const hook: TlsSocketHook | null = capture
    ? (socket) => {
        const cert = socket.getPeerCertificate();
        fingerprint = cert?.fingerprint256 ? normalizeFingerprint(cert.fingerprint256) : undefined;
        if (pin && fingerprint !== pin) return new PinMismatchError();
        if (fingerprint) recorder.info(`Server certificate SHA-256 ${fingerprint}`);
        return null;
      }
    : null;
  const tlsOptions: Record<PropertyKey, unknown> | undefined = node
    ? {
        ...(capture ? { rejectUnauthorized: false } : {}),
        ...(hook ? registerTlsSocketHook(hook) : {}),
        minVersion: 'TLSv1.2',
      }
    : undefined;

  // Node: tenant-entered hosts are resolved once here and refused when internal (resolve.ts).
  // Workers: never (no DNS API; Cloudflare's connect() does not reach private networks).
  const guard = node ? options.addressGuard : undefined;

  const getSocket = (_opts: unknown, callback: (err: Error | null, socketOptions?: unknown) => void) => {
    recorder.phase = 'connect';
    recorder.connected = false;
    recorder.starttlsPending = false;
    const implicit = settings.security === 'tls';
    recorder.info(`Connecting to ${settings.host}:${settings.port}${implicit ? ' (TLS)' : ''}`);
    let done = false;
    let socket: net.Socket | undefined;
    const finish = (err: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket?.removeListener('error', onError);
      if (err) {
        socket?.destroy();
        return callback(err);
      }
      callback(null, { connection: socket, secured: implicit });
    };
    const onError = (err: Error) => finish(err);
    // connectMs bounds the DNS lookup (with the guard) and the TCP connect together.
    const timer = setTimeout(() => {
      const err = Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' });
      finish(err);
    }, timeouts.connectMs);
    if (!guard) return open(null);
    resolveTarget(host, guard).then(
      (addresses) => {
        if (done) return; // timed out meanwhile
        open(addresses);
      },
      (error: Error) => {
        if (error instanceof PrivateAddressError)
          recorder.info('Refused: the host is or resolves to an internal (private, loopback or link-local) address');
        finish(error);
      },
    );

    /** Opens the socket by host NAME (SNI and certificate check against it); with addresses, only to those. */
    function open(addresses: ResolvedAddress[] | null): void {
      const pinned = addresses ? { lookup: fixedLookup(addresses) } : {};
      try {
        let s: net.Socket;
        if (implicit) {
          recorder.tlsHandshake = true;
          noteTlsHandshake();
          s = tls.connect({
            host,
            port: settings.port,
            ...(net.isIP(host) ? {} : { servername: host }),
            ...pinned,
            ...(tlsOptions ?? {}),
          } as tls.ConnectionOptions);
          s.once('connect', () => {
            recorder.connected = true;
          });
          s.once('secureConnect', () => {
            if (s.destroyed) return; // refused by the pin check; its error follows
            recorder.connected = true;
            recorder.tlsHandshake = false;
            recorder.phase = 'greeting';
            const protocol = (s as tls.TLSSocket).getProtocol?.();
            recorder.info(`TLS established${protocol ? ` (${protocol})` : ''}`);
            finish(null);
          });
        } else {
          s = net.connect({ host, port: settings.port, ...pinned });
          s.once('connect', () => {
            recorder.connected = true;
            recorder.phase = 'greeting';
            finish(null);
          });
        }
        socket = s;
        s.on('error', onError);
        lateCloseListeners(s);
      } catch (error) {
        clearTimeout(timer);
        done = true;
        callback(error as Error);
      }
    }
  };

  const auth =
    settings.auth.method === 'none'
      ? undefined
      : {
          user: settings.auth.username ?? '',
          pass: settings.auth.password ?? '',
          method: settings.auth.method.toUpperCase(),
        };

  const transportOptions = {
    host,
    port: settings.port,
    name: clientName,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    ...(auth ? { auth, authMethod: auth.method, forceAuth: true } : {}),
    ...(tlsOptions ? { tls: tlsOptions } : {}),
    connectionTimeout: timeouts.connectMs + timeouts.greetingMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    dnsTimeout: timeouts.connectMs,
    logger: recorder.logger,
    transactionLog: true,
    debug: false,
    getSocket,
    ...(pool ? { pool: true, maxConnections: 1, maxMessages: Infinity } : {}),
  };
  // The typings lack getSocket's connection shape and the transaction log; the options are Nodemailer's own.
  type Options = SMTPPool.Options & SMTPTransport.Options;
  const nodemailerOptions = transportOptions as unknown as Options;
  const transport = pool
    ? new Mailer(new SMTPPool(nodemailerOptions) as unknown as SMTPTransport, nodemailerOptions)
    : new Mailer(new SMTPTransport(nodemailerOptions), nodemailerOptions);
  return { transport, recorder, certificateSha256: () => fingerprint };
}

async function sendThrough(
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

export interface PooledSender {
  /** Sends one message over the shared connection; sends are serialised. */
  send(message: OutgoingMessage): Promise<SendResult>;
  /** Ends the session (QUIT); bounded, it never waits longer than `closeTimeoutMs`. */
  close(): Promise<void>;
}

/**
 * One SMTP session reused for many messages (Nodemailer `pool: true`, one connection).
 * A send that runs out of time drops the session; the next send opens a new one.
 */
export function openSender(
  settings: SmtpSettings,
  options: SendOptions & { clientName: string; closeTimeoutMs?: number },
): PooledSender {
  let connection: Connection | null = null;
  let chain: Promise<unknown> = Promise.resolve();
  let closed = false;
  const drop = (c: Connection) => {
    try {
      // force: a connection still busy with the given-up message must not finish it in the background.
      (c.transport.close as (options?: { force?: boolean }) => void)({ force: true });
    } catch {
      /* already closed */
    }
    if (connection === c) connection = null;
  };
  const send = (message: OutgoingMessage): Promise<SendResult> => {
    const run = async (): Promise<SendResult> => {
      if (closed) throw new Error('sender is closed');
      const c = (connection ??= createConnection(settings, options, true, options.clientName));
      const from = c.recorder.lines.length;
      const result = await sendThrough(c, message, settings, options, from, false);
      if (
        !result.ok &&
        (result.error.code === 'total_timeout' || result.error.stage === 'tls' || result.error.stage === 'connect')
      )
        drop(c);
      return result;
    };
    const next = chain.then(run, run);
    chain = next.catch(() => {});
    return next;
  };
  const close = async (): Promise<void> => {
    closed = true;
    await waitAtMost(chain, options.closeTimeoutMs ?? 1_000);
    const c = connection;
    connection = null;
    if (!c) return;
    // QUIT and close; after STARTTLS, workerd's close() may never settle: never await it unbounded.
    c.transport.close();
  };
  return { send, close };
}
