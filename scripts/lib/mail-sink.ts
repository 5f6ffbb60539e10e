// A local mail sink for development and tests: a real SMTP server on loopback that accepts every
// message (AUTH only XOAUTH2, with tokens of the local authorization servers, STARTTLS when given a
// certificate) and keeps it in memory, plus a small HTTP viewer on another port.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import sasl from 'smtp-server/lib/sasl.js';
import { isLoopbackHostname } from '../../api/http/loopback.ts';

/** Whether an access token is valid for that mailbox (a local authorization server's check). */
export type AccessTokenVerifier = (user: string, accessToken: string) => Promise<boolean>;

// After its XOAUTH2 error challenge smtp-server answers a text without an enhanced status code;
// Gmail answers 535 5.7.8, which clients classify. Patched once for the process.
let refusalPatched = false;
function answerXoauth2RefusalLikeGmail(): void {
  if (refusalPatched) return;
  refusalPatched = true;
  sasl.XOAUTH2_error = function (_data, callback) {
    this.send(535, '5.7.8 Username and Password not accepted');
    callback();
  };
}

/**
 * smtp-server's onAuth for XOAUTH2: accepted when a verifier accepts the token for the user; refused
 * like Gmail (a 334 challenge with the error JSON, then 535 5.7.8). `onResult` sees each attempt.
 */
export function xoauth2OnAuth(
  verifiers: AccessTokenVerifier[],
  onResult: (user: string, ok: boolean) => void = () => {},
): NonNullable<SMTPServerOptions['onAuth']> {
  answerXoauth2RefusalLikeGmail();
  return (auth, _session, callback) => {
    const user = auth.username ?? '';
    Promise.all(verifiers.map((verify) => verify(user, auth.accessToken ?? ''))).then(
      (results) => {
        const ok = auth.method === 'XOAUTH2' && results.some(Boolean);
        onResult(user, ok);
        if (ok) return callback(null, { user: { username: user, method: 'XOAUTH2' } });
        callback(null, { data: { status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/' } });
      },
      (error: Error) => callback(error),
    );
  };
}

export interface SinkMessage {
  id: number;
  receivedAt: string;
  envelope: { from: string | null; to: string[] };
  from: string;
  to: string;
  replyTo: string;
  subject: string;
  messageId: string | null;
  headers: [string, string][];
  text: string;
  html: string | null;
  /** What was attached, without the content (an invoice's PDF shows here). */
  attachments: { filename: string | null; contentType: string; size: number }[];
  size: number;
  /** The mailbox the client signed in as with XOAUTH2, or null (the system relay sends without AUTH). */
  authUser: string | null;
}

export interface MailSink {
  smtpPort: number;
  httpUrl: string;
  messages: SinkMessage[];
  /** Resolves with the first message (received now or later) that matches. */
  waitFor(match: (message: SinkMessage) => boolean, timeoutMs?: number): Promise<SinkMessage>;
  stop(): Promise<void>;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #d0d7de;vertical-align:top}
pre{white-space:pre-wrap;background:#f6f8fa;padding:1rem;border-radius:6px}a{color:#0b5cad}</style></head>
<body>${body}</body></html>`;
}

function listPage(messages: SinkMessage[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) => `<tr><td>${m.id}</td><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.from)}</td>
<td>${escapeHtml(m.envelope.to.join(', '))}</td><td><a href="/messages/${m.id}">${escapeHtml(m.subject || '(no subject)')}</a></td>
<td>${m.attachments.length || ''}</td></tr>`,
    )
    .join('');
  return page(
    'Mail sink',
    `<h1>Mail sink</h1><p>${messages.length} message(s) received. <a href="/">Refresh</a> · <a href="/messages.json">JSON</a></p>
<table><thead><tr><th>#</th><th>Received</th><th>From</th><th>Envelope to</th><th>Subject</th><th>Attachments</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

function messagePage(m: SinkMessage): string {
  const headers = m.headers.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return page(
    m.subject,
    `<p><a href="/">← All messages</a></p><h1>${escapeHtml(m.subject || '(no subject)')}</h1>
<p>Envelope: ${escapeHtml(m.envelope.from ?? '<>')} → ${escapeHtml(m.envelope.to.join(', '))}</p>
<h2>Headers</h2><table>${headers}</table><h2>Text</h2><pre>${escapeHtml(m.text)}</pre>${attachmentList(m)}`,
  );
}

function attachmentList(m: SinkMessage): string {
  if (m.attachments.length === 0) return '';
  const items = m.attachments
    .map((a) => `<li>${escapeHtml(a.filename ?? '(no name)')} — ${escapeHtml(a.contentType)}, ${a.size} bytes</li>`)
    .join('');
  return `<h2>Attachments</h2><ul>${items}</ul>`;
}

/** A received mail as the sink's pages show it. */
function sinkMessage(id: number, mail: ParsedMail, session: SMTPServerSession): SinkMessage {
  const { envelope } = session;
  return {
    id,
    receivedAt: new Date().toISOString(),
    envelope: {
      from: envelope.mailFrom ? envelope.mailFrom.address : null,
      to: envelope.rcptTo.map((r) => r.address),
    },
    from: mail.from?.text ?? '',
    to: (Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : mail.to?.text) ?? '',
    replyTo: mail.replyTo?.text ?? '',
    subject: mail.subject ?? '',
    messageId: mail.messageId ?? null,
    headers: mail.headerLines.map((h) => [h.key, h.line.slice(h.line.indexOf(':') + 1).trim()]),
    text: mail.text ?? '',
    html: typeof mail.html === 'string' ? mail.html : null,
    attachments: mail.attachments.map((a) => ({
      filename: a.filename ?? null,
      contentType: a.contentType,
      size: a.size,
    })),
    size: 0,
    authUser: (session.user as { username?: string } | undefined)?.username ?? null,
  };
}

/** The sink's pages: the list, one message as HTML, everything as JSON. */
function sinkPages(messages: SinkMessage[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sink');
    // No CORS header, and only this machine's names: no other web page (DNS rebinding included) reads the mails.
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, {
        'content-type': `${type}; charset=utf-8`,
        'cache-control': 'no-store',
      });
      res.end(body);
    };
    if (!isLoopbackHostname(hostOf(req))) return send(421, 'text/plain', 'only via localhost or 127.0.0.1');
    const one = /^\/messages\/(\d+)(\.json)?$/.exec(url.pathname);
    if (url.pathname === '/') return send(200, 'text/html', listPage(messages));
    if (url.pathname === '/messages.json') return send(200, 'application/json', JSON.stringify(messages));
    const message = one ? messages.find((m) => m.id === Number(one[1])) : undefined;
    if (message && one?.[2]) return send(200, 'application/json', JSON.stringify(message));
    if (message) return send(200, 'text/html', messagePage(message));
    send(404, 'text/plain', 'not found');
  };
}

/** The request's Host as a URL host name ('' when missing or not a host). */
function hostOf(req: IncomingMessage): string {
  try {
    return new URL(`http://${req.headers.host ?? ''}`).hostname;
  } catch {
    return '';
  }
}

type Waiter = { match: (m: SinkMessage) => boolean; resolve: (m: SinkMessage) => void };

function waitForMessage(messages: SinkMessage[], waiters: Set<Waiter>, match: Waiter['match'], timeoutMs: number) {
  const found = messages.find(match);
  if (found) return Promise.resolve(found);
  return new Promise<SinkMessage>((resolve, reject) => {
    const waiter = {
      match,
      resolve: (m: SinkMessage) => {
        clearTimeout(timer);
        resolve(m);
      },
    };
    const timer = setTimeout(() => {
      waiters.delete(waiter);
      reject(new Error(`no matching message within ${timeoutMs} ms`));
    }, timeoutMs);
    waiters.add(waiter);
  });
}

export interface MailSinkOptions {
  smtpPort?: number;
  httpPort?: number;
  /** With these, AUTH XOAUTH2 is offered (optional: the system relay sends without AUTH). */
  verifiers?: AccessTokenVerifier[];
  /** STARTTLS with this certificate; AUTH then only after it (the API sends a token only over TLS). */
  tls?: { key: Buffer; cert: Buffer };
}

/** What the sink's SMTP side offers: no AUTH and no TLS, or XOAUTH2, behind STARTTLS when it has a certificate. */
function sinkSmtpOptions(options: MailSinkOptions): SMTPServerOptions {
  const verifiers = options.verifiers ?? [];
  if (verifiers.length === 0) return { disabledCommands: ['AUTH', 'STARTTLS'] };
  return {
    authMethods: ['XOAUTH2'],
    onAuth: xoauth2OnAuth(verifiers),
    ...(options.tls ? { ...options.tls } : { allowInsecureAuth: true, disabledCommands: ['STARTTLS'] }),
  };
}

export async function startMailSink(options: MailSinkOptions = {}): Promise<MailSink> {
  const messages: SinkMessage[] = [];
  const waiters = new Set<Waiter>();

  const smtp = new SMTPServer({
    authOptional: true,
    ...sinkSmtpOptions(options),
    logger: false,
    size: 25 * 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const message = sinkMessage(messages.length + 1, mail, session);
          messages.push(message);
          for (const waiter of waiters) {
            if (waiter.match(message)) {
              waiters.delete(waiter);
              waiter.resolve(message);
            }
          }
          callback(null, `queued as sink-${message.id}`);
        })
        .catch((error: Error) => callback(error));
    },
  });
  // A client that drops mid-session must not crash the process.
  smtp.on('error', (error) => console.error(`[mail-sink] ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    smtp.server.once('error', reject);
    smtp.listen(options.smtpPort ?? 0, '127.0.0.1', () => resolve());
  });
  const http = createServer(sinkPages(messages));
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.httpPort ?? 0, '127.0.0.1', () => resolve());
  });

  return {
    smtpPort: (smtp.server.address() as AddressInfo).port,
    httpUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    messages,
    waitFor: (match, timeoutMs = 10_000) => waitForMessage(messages, waiters, match, timeoutMs),
    async stop() {
      http.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => http.close(() => resolve())),
        new Promise<void>((resolve) => smtp.close(() => resolve())),
      ]);
    },
  };
}
