import Mailer from 'nodemailer/lib/mailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import SMTPTransport from 'nodemailer/lib/smtp-transport';
import { CertificateRefusedError } from './errors.ts';
import { installSocketRejectionGuard } from './guard.ts';
import { certificateInfo, registerTlsSocketHook } from './pin.ts';
import { socketOpener } from './socket.ts';
import { SessionRecorder } from './transcript.ts';
import { normalizeFingerprint } from '../../contract/rules/certificate.ts';
import { toAsciiDomain } from '../../contract/rules/host.ts';
import { DEFAULT_TIMEOUTS, type MailRuntime, type SendOptions, type SmtpSettings, type SmtpTimeouts } from './types.ts';

export function timeoutsOf(options: SendOptions): SmtpTimeouts {
  const t = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  return { ...t, totalMs: Math.max(t.totalMs, 1) };
}

export interface Connection {
  transport: Mailer;
  recorder: SessionRecorder;
}

/**
 * Node only: with a pin, exactly that certificate is accepted; with "always trust" and no pin, a
 * publicly trusted one. Anything else ends the session on the TLS socket before anything is sent
 * on it, with the certificate's details for the tenant to confirm.
 */
/** Node's TLS options; undefined on Workers, where certificate checks cannot be customised. */
function tlsOptions(
  settings: SmtpSettings,
  runtime: MailRuntime,
  recorder: SessionRecorder,
): Record<PropertyKey, unknown> | undefined {
  if (runtime !== 'node') return undefined;
  const pin = settings.tlsPinSha256 ? normalizeFingerprint(settings.tlsPinSha256) : null;
  if (!pin && !settings.allowUntrustedCertificate) return { minVersion: 'TLSv1.2' };
  const checkCertificate = registerTlsSocketHook((socket) => {
    const certificate = certificateInfo(socket);
    const fingerprint = certificate?.sha256;
    if (fingerprint) recorder.info(`Server certificate SHA-256 ${fingerprint}`);
    if (pin ? fingerprint === pin : socket.authorized) return null;
    if (!certificate) return new Error('The server presented no certificate');
    return new CertificateRefusedError(certificate, pin !== null);
  });
  return { rejectUnauthorized: false, ...checkCertificate, minVersion: 'TLSv1.2' };
}

/**
 * Nodemailer's XOAUTH2 for a grant: past `accessTokenUsableUntil` a new session (a pooled
 * connection opened again late in a long batch) gets a fresh token through the provision callback;
 * a retry after the server refused one sends the same token again, as without the callback.
 */
function oauth2Options(settings: SmtpSettings, recorder: SessionRecorder) {
  const { username, accessToken, accessTokenUsableUntil: expires, renewAccessToken: renew } = settings.auth;
  let latest = accessToken ?? '';
  const auth = { type: 'OAuth2', user: username ?? '', accessToken: latest };
  if (!expires || !renew) return auth;
  type Provided = (error: Error | null, accessToken?: string, expires?: number) => void;
  const provisionCallback = (_user: string, again: boolean, callback: Provided) => {
    if (again) return callback(null, latest);
    renew().then((fresh) => {
      latest = fresh.accessToken;
      recorder.addSecret(fresh.accessToken);
      callback(null, fresh.accessToken, fresh.usableUntil);
    }, callback);
  };
  return { ...auth, expires, provisionCallback };
}

function authOptions(settings: SmtpSettings, recorder: SessionRecorder) {
  if (settings.auth.method === 'none') return {};
  if (settings.auth.method === 'xoauth2')
    return { auth: oauth2Options(settings, recorder), authMethod: 'XOAUTH2', forceAuth: true };
  const auth = {
    user: settings.auth.username ?? '',
    pass: settings.auth.password ?? '',
    method: settings.auth.method.toUpperCase(),
  };
  return { auth, authMethod: auth.method, forceAuth: true };
}

function timeoutOptions(timeouts: SmtpTimeouts) {
  return {
    connectionTimeout: timeouts.connectMs + timeouts.greetingMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    dnsTimeout: timeouts.connectMs,
  };
}

/**
 * A Nodemailer transport for the settings (one connection; `pool` keeps it for many messages),
 * with our socket adapter and a recorder for the transcript.
 */
export function createConnection(
  settings: SmtpSettings,
  options: SendOptions,
  pool: boolean,
  clientName: string,
): Connection {
  installSocketRejectionGuard();
  const timeouts = timeoutsOf(options);
  const recorder = new SessionRecorder([settings.auth.password, settings.auth.accessToken], options.onStage);
  // The name as DNS and certificates know it: IDNA A-labels (`smtp.müller.de` → `smtp.xn--mller-kva.de`,
  // `smtp。example。com` → `smtp.example.com`); IP literals as they are.
  const host = toAsciiDomain(settings.host) ?? settings.host;
  const tls = tlsOptions(settings, options.runtime, recorder);
  const getSocket = socketOpener(
    {
      host,
      enteredHost: settings.host,
      port: settings.port,
      implicitTls: settings.security === 'tls',
      tlsOptions: tls,
      // Node: tenant-entered hosts are resolved once and refused when internal (resolve.ts).
      // Workers: never (no DNS API; Cloudflare's connect() does not reach private networks).
      guard: options.runtime === 'node' ? options.addressGuard : undefined,
      connectMs: timeouts.connectMs,
    },
    recorder,
  );
  const transportOptions = {
    host,
    port: settings.port,
    name: clientName,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    ...authOptions(settings, recorder),
    ...(tls ? { tls } : {}),
    ...timeoutOptions(timeouts),
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
  return { transport, recorder };
}
