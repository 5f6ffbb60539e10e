import type { SmtpStage, TranscriptLine } from '../../contract/index.ts';
import { noteTlsHandshake } from './guard.ts';

const MAX_LINES = 400;
const MAX_LINE = 500;

/**
 * Records the SMTP dialogue of one connection (or a pool's connections) from Nodemailer's
 * logger, redacted as it is written, and follows the phase of the session so an error that
 * carries no command (timeouts, closed connections, vague TLS errors) gets its stage.
 */
export class SessionRecorder {
  readonly lines: TranscriptLine[] = [];
  /** Current phase, advanced by the sockets and by the commands the client sends. */
  phase: SmtpStage = 'connect';
  /** Set once the TCP connection is up (connect event of the socket). */
  connected = false;
  /** True while a TLS handshake (implicit or STARTTLS) is in progress. */
  tlsHandshake = false;
  /** The client sent STARTTLS and the TLS session is not up yet. */
  starttlsPending = false;
  serverLines = 0;
  /**
   * The server said 354 and the message went (or is going) out, but its final reply has not come:
   * a failure now leaves open whether the server took the message.
   */
  messageInFlight = false;
  /** The server's reply to DATA when it was not 354 and Nodemailer went on anyway (it takes any 2xx or 3xx). */
  dataReplyNot354: string | null = null;
  /** With PIPELINING, the replies still due before DATA's own (MAIL and RCPT come first); null: none awaited. */
  private repliesBeforeData: number | null = null;
  private unanswered = 0;
  private inAuth = false;
  private readonly secrets: string[];
  private dropped = 0;

  constructor(secrets: (string | null | undefined)[]) {
    this.secrets = secretForms(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 3));
  }

  info(line: string): void {
    this.push('i', line);
  }

  /** Bunyan-style logger handed to Nodemailer (`logger` + `transactionLog: true`). */
  readonly logger = {
    trace: () => {},
    debug: (meta: Record<string, unknown>, message?: unknown, ...args: unknown[]) =>
      this.onLog('debug', meta, message, args),
    info: (meta: Record<string, unknown>, message?: unknown, ...args: unknown[]) =>
      this.onLog('info', meta, message, args),
    warn: (meta: Record<string, unknown>, message?: unknown, ...args: unknown[]) =>
      this.onLog('warn', meta, message, args),
    error: () => {
      /* errors are reported once, by the caller, in their normalised form */
    },
    fatal: () => {},
  };

  private onLog(level: string, meta: Record<string, unknown>, message: unknown, args: unknown[]): void {
    const tnx = meta?.tnx;
    const text = format(message, args);
    if (tnx === 'client') {
      this.onClient(text);
      return;
    }
    if (tnx === 'server') {
      this.onServer(text);
      return;
    }
    if (level === 'debug' || tnx === 'message' || tnx === 'send' || tnx === 'proxy' || tnx === 'dns') return;
    if (/^(User .* authenticated|User .* failed)/.test(text)) return; // names the user; the replies say it
    if (meta?.err) return; // an error: reported once, in its normalised form ("Failed at …")
    if (tnx === 'network' || tnx === 'smtp' || tnx === 'connection') this.info(text);
  }

  private onClient(text: string): void {
    for (const raw of text.split(/\r?\n/)) {
      const verb = raw.split(' ', 1)[0]!.toUpperCase();
      let line = raw;
      if (verb === 'AUTH') {
        this.inAuth = true;
        this.phase = 'auth';
        const mech = raw.split(' ')[1] ?? '';
        const redacted = mech.toUpperCase() === 'XOAUTH2' ? '[redacted]' : '***';
        line = raw.split(' ').length > 2 ? `AUTH ${mech} ${redacted}` : `AUTH ${mech}`;
      } else if (this.inAuth) {
        line = '***';
      } else if (verb === 'EHLO' || verb === 'HELO' || verb === 'LHLO') {
        this.phase = 'ehlo';
        this.starttlsPending = false;
      } else if (verb === 'STARTTLS') {
        this.phase = 'tls';
        this.starttlsPending = true;
        noteTlsHandshake();
      } else if (verb === 'MAIL') {
        this.phase = 'mail';
        this.messageInFlight = false;
      } else if (verb === 'RCPT') {
        this.phase = 'rcpt';
      } else if (verb === 'DATA') {
        this.phase = 'data';
        this.repliesBeforeData = this.unanswered;
      }
      this.unanswered++;
      this.push('c', line);
    }
  }

  /** Counts a reply's last line against the commands sent; DATA's own reply must be 354. */
  private onReply(line: string): void {
    this.unanswered = Math.max(0, this.unanswered - 1);
    if (this.repliesBeforeData === null) return;
    if (this.repliesBeforeData-- > 0) return;
    this.repliesBeforeData = null;
    if (!/^354/.test(line)) this.dataReplyNot354 = this.redact(line);
  }

  private onServer(text: string): void {
    this.serverLines++;
    if (this.phase === 'connect') this.phase = 'greeting';
    const lines = text.split(/\r?\n/);
    for (const raw of lines) {
      let line = raw;
      if (this.inAuth && /^334[ -]?/.test(raw)) line = '334 ***';
      if (/^\d{3}(?!-)/.test(raw)) this.onReply(raw);
      this.push('s', line);
    }
    const last = lines[lines.length - 1] ?? '';
    if (this.inAuth && !/^334/.test(last)) this.inAuth = false;
    // 354 opens the message; the next reply is its verdict.
    this.messageInFlight = this.phase === 'data' && !this.messageInFlight && /^354/.test(last);
  }

  private push(dir: TranscriptLine['dir'], line: string): void {
    if (this.lines.length >= MAX_LINES) {
      this.dropped++;
      return;
    }
    this.lines.push({ dir, line: this.redact(line) });
  }

  /** Removes every known form of the secrets from a text (belt and braces on top of the AUTH rules). */
  redact(text: string): string {
    let out = sanitize(text);
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join('***');
    }
    return out.length > MAX_LINE ? `${out.slice(0, MAX_LINE)}…` : out;
  }

  transcript(): TranscriptLine[] {
    return this.dropped ? [...this.lines, { dir: 'i', line: `… ${this.dropped} more lines` }] : this.lines.slice();
  }
}

function format(message: unknown, args: unknown[]): string {
  let i = 0;
  const text = String(message ?? '');
  return text.replace(/%[sdj%]/g, (m) => {
    if (m === '%%') return '%';
    const v = args[i++];
    return m === '%j' ? JSON.stringify(v) : String(v);
  });
}

/** Keeps transcripts printable: control characters (but tabs) shown as `\xNN`. */
function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

/** The password itself, its base64 forms (alone, at each alignment), and what AUTH PLAIN sends. */
export function secretForms(secrets: string[]): string[] {
  const out = new Set<string>();
  const b64 = (s: string | Uint8Array) => Buffer.from(s as string).toString('base64');
  for (const secret of secrets) {
    out.add(secret);
    out.add(b64(secret));
    const bytes = Buffer.from(secret, 'utf8');
    // base64 of the secret embedded at any offset: the stable middle part of each alignment
    for (let pad = 0; pad < 3; pad++) {
      const encoded = b64(Buffer.concat([Buffer.alloc(pad), bytes]));
      // characters that depend on the secret's bytes alone: whole 3-byte groups inside it
      const stable = encoded.slice(pad === 0 ? 0 : 4, Math.floor((pad + bytes.length) / 3) * 4);
      if (stable.length >= 8) out.add(stable);
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
}
