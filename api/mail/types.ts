import type { AuthMethod, Security, SmtpStage, TranscriptLine } from '../contract.ts';

export type MailRuntime = 'workers' | 'node';

/** Everything the engine needs to reach and log in to an SMTP server. Password in clear (decrypted). */
export interface SmtpSettings {
  host: string;
  port: number;
  security: Security;
  auth: { method: AuthMethod; username?: string | null; password?: string | null };
  /**
   * Node runtime only. A SHA-256 fingerprint (hex, with or without colons) of the one server
   * certificate accepted in place of a publicly trusted one.
   */
  tlsPinSha256?: string | null;
  /** Node runtime only: accept any certificate and record its fingerprint (the test of "always trust"). */
  captureUntrustedCertificate?: boolean;
}

export interface SmtpTimeouts {
  /** TCP connect (and the TLS handshake of implicit TLS). */
  connectMs: number;
  /** From connected to the server's 220 greeting; also bounds the STARTTLS handshake. */
  greetingMs: number;
  /** Inactivity: the longest wait for any reply. */
  socketMs: number;
  /** The whole send, from connecting to the final reply. */
  totalMs: number;
}

export const DEFAULT_TIMEOUTS: SmtpTimeouts = { connectMs: 10_000, greetingMs: 10_000, socketMs: 15_000, totalMs: 30_000 };

export interface SendOptions {
  runtime: MailRuntime;
  timeouts?: Partial<SmtpTimeouts>;
  /** Name given in EHLO; defaults to the sender's domain. */
  clientName?: string;
}

export interface Address {
  address: string;
  name?: string | null;
}

export interface OutgoingAttachment {
  filename: string;
  content: Uint8Array;
  contentType?: string;
}

export interface OutgoingMessage {
  /** Envelope sender (MAIL FROM) and From address; `name` is the display name. */
  from: Address;
  replyTo?: string | Address | null;
  to: (string | Address)[];
  cc?: (string | Address)[];
  bcc?: (string | Address)[];
  subject: string;
  text?: string;
  html?: string;
  attachments?: OutgoingAttachment[];
  /** Reuse a Message-ID (retries); otherwise one is made on the sender's domain. */
  messageId?: string;
  date?: Date;
  headers?: Record<string, string>;
}

/** An SMTP failure in the engine's terms, before localisation. */
export interface NormalizedSmtpError {
  stage: SmtpStage;
  /** Our own code, e.g. `auth_failed`, `certificate_untrusted`, `relay_denied`. */
  code: string;
  responseCode: number | null;
  response: string | null;
  /** 4xx, timeouts and connection errors: worth retrying later. */
  transient: boolean;
  /** Nodemailer's (or the socket's) own code, for logs; never shown as text. */
  cause?: string;
}

export type SendResult =
  | {
      ok: true;
      messageId: string;
      /** The server's final reply, e.g. `250 2.0.0 Ok: queued as …`. */
      response: string;
      accepted: string[];
      rejected: string[];
      transcript: TranscriptLine[];
      /** SHA-256 of the server certificate (Node, TLS only), for "always trust". */
      certificateSha256?: string;
      durationMs: number;
    }
  | {
      ok: false;
      error: NormalizedSmtpError;
      transcript: TranscriptLine[];
      certificateSha256?: string;
      durationMs: number;
    };
