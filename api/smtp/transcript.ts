import type { SmtpStage, TranscriptLine } from '../../contract/index.ts';
import { noteTlsHandshake } from './guard.ts';
import { redactReplyLines, secretPatterns } from './redact.ts';
import { StageReporter, type StageListener } from './stages.ts';

const MAX_LINES = 400;
const MAX_LINE = 500;

/**
 * Records the SMTP dialogue of one connection (or a pool's connections) from Nodemailer's
 * logger, redacted as it is written, and follows the phase of the session so an error that
 * carries no command (timeouts, closed connections, vague TLS errors) gets its stage.
 */
export class SessionRecorder {
  readonly lines: TranscriptLine[] = [];
  private current: SmtpStage = 'connect';
  /** Reports the phases as stage events, when somebody listens (a streamed test). */
  readonly stages: StageReporter | undefined;
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
  private readonly secrets: RegExp[];
  private dropped = 0;
  /** The current reply's lines (unredacted) and where they stand in `lines`: redacted together. */
  private reply: { raw: string[]; at: number[] } = { raw: [], at: [] };

  constructor(secrets: (string | null | undefined)[], onStage?: StageListener) {
    this.secrets = secretPatterns(secrets);
    this.stages = onStage ? new StageReporter(onStage) : undefined;
  }

  /** Current phase, advanced by the sockets and by the commands the client sends. */
  get phase(): SmtpStage {
    return this.current;
  }

  set phase(next: SmtpStage) {
    this.current = next;
    this.stages?.enter(next);
  }

  /** A secret that came up during the session (a renewed access token): redacted from here on. */
  addSecret(secret: string): void {
    this.secrets.push(...secretPatterns([secret]));
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
      } else if (verb === 'RSET' || verb === 'QUIT') {
        // These commands' replies are no verdict on the stage before.
        this.stages?.hold();
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
      const final = /^\d{3}(?!-)/.test(raw);
      if (final) this.onReply(raw);
      const shown = this.pushReplyLine(line, final);
      if (final) this.stages?.replied(shown);
    }
    const last = lines[lines.length - 1] ?? '';
    if (this.inAuth && !/^334/.test(last)) this.inAuth = false;
    // 354 opens the message; the next reply is its verdict.
    this.messageInFlight = this.phase === 'data' && !this.messageInFlight && /^354/.test(last);
  }

  /** A secret may be split across a reply's lines: each line is redacted again with the reply so far. */
  private pushReplyLine(line: string, final: boolean): string {
    // Past the transcript's cap the line is not kept, but a stage listener still sees it redacted.
    let shown: string;
    if (this.push('s', line)) {
      this.reply.raw.push(line);
      this.reply.at.push(this.lines.length - 1);
      const redacted = redactReplyLines(this.reply.raw.map(sanitize), this.secrets);
      this.reply.at.forEach((index, k) => {
        this.lines[index] = { dir: 's', line: truncate(redacted[k]!) };
      });
      shown = this.lines[this.lines.length - 1]!.line;
    } else {
      shown = this.redact(line);
    }
    if (final) this.reply = { raw: [], at: [] };
    return shown;
  }

  private push(dir: TranscriptLine['dir'], line: string): boolean {
    if (this.lines.length >= MAX_LINES) {
      this.dropped++;
      return false;
    }
    this.lines.push({ dir, line: this.redact(line) });
    return true;
  }

  /** Removes every known form of the secrets from a text, a multi-line reply judged as a whole. */
  redact(text: string): string {
    return truncate(redactReplyLines(sanitize(text).split('\n'), this.secrets).join('\n'));
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

const truncate = (text: string) => (text.length > MAX_LINE ? `${text.slice(0, MAX_LINE)}…` : text);

/** Keeps transcripts printable: control characters (but tabs) shown as `\xNN`. */
function sanitize(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
