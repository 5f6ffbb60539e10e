import net from 'node:net';
import tls from 'node:tls';
import Mailer from 'nodemailer/lib/mailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import { PinMismatchError } from './errors.ts';
import { installSocketRejectionGuard, noteTlsHandshake } from './guard.ts';
import { normalizeFingerprint, registerTlsSocketHook, type TlsSocketHook } from './pin.ts';
import { fixedLookup, PrivateAddressError, resolveTarget } from './resolve.ts';
import { SessionRecorder } from './transcript.ts';
import { toAsciiDomain } from '../../contract/rules/host.ts';
import {
  DEFAULT_TIMEOUTS,
  type ResolvedAddress,
  type SendOptions,
  type SmtpSettings,
  type SmtpTimeouts,
} from './types.ts';

export function timeoutsOf(options: SendOptions): SmtpTimeouts {
  const t = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  return { ...t, totalMs: Math.max(t.totalMs, 1) };
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

export interface Connection {
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
export function createConnection(
  settings: SmtpSettings,
  options: SendOptions,
  pool: boolean,
  clientName: string,
): Connection {
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
