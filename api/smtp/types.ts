import type { StageListener } from './stages.ts';
import type {
  AuthMethod,
  CertificateInfo,
  Runtime,
  Security,
  SmtpErrorCode,
  SmtpStage,
  TranscriptLine,
} from '../../contract/index.ts';

export type MailRuntime = Runtime;

/** Everything the engine needs to reach and log in to an SMTP server. Password in clear (decrypted). */
export interface SmtpSettings {
  host: string;
  port: number;
  security: Security;
  /** `xoauth2`: `accessToken` from the tenant's grant; the other methods: `password`. */
  auth: {
    method: AuthMethod;
    username?: string | null;
    password?: string | null;
    accessToken?: string | null;
    /** `xoauth2`: epoch ms until which `accessToken` may be sent; a session opened later asks `renewAccessToken`. */
    accessTokenUsableUntil?: number;
    /** A fresh token for a later session of a long batch; rejects with an AccessTokenRenewalError. */
    renewAccessToken?: () => Promise<{ accessToken: string; usableUntil: number }>;
  };
  /**
   * Node runtime only. A SHA-256 fingerprint (hex, with or without colons) of the one server
   * certificate accepted, in place of a publicly trusted one; any other is refused before EHLO.
   */
  tlsPinSha256?: string | null;
  /**
   * Node runtime only: "always trust the certificate" — a certificate neither publicly trusted nor
   * pinned stops the session before EHLO with `certificate_unconfirmed` and its details, to confirm.
   */
  allowUntrustedCertificate?: boolean;
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

export const DEFAULT_TIMEOUTS: SmtpTimeouts = {
  connectMs: 10_000,
  greetingMs: 10_000,
  socketMs: 15_000,
  totalMs: 30_000,
};

/** One address a host name resolved to (as node:dns `lookup(host, { all: true })` gives it). */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses (rejects with `code: 'ENOTFOUND'` when there is none). */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

/** Anti-SSRF for settings a tenant entered; see resolve.ts. */
export interface AddressGuard {
  /**
   * `ALLOW_PRIVATE_HOSTS=true` (development, tests): still resolve once and connect to the
   * resolved address, but do not refuse internal ones.
   */
  allowPrivateHosts: boolean;
  /** The resolver; node:dns `lookup` with `all: true` unless given (tests inject one). */
  lookup?: HostLookup;
}

export interface SendOptions {
  runtime: MailRuntime;
  timeouts?: Partial<SmtpTimeouts>;
  /** Name given in EHLO; defaults to the sender's domain. */
  clientName?: string;
  /**
   * Node runtime only (ignored on Workers, whose connect() cannot reach private networks):
   * resolve the host name once per connection, refuse at stage `connect` with `private_address`
   * when any address is loopback/private/link-local/… (unless `allowPrivateHosts`), and connect
   * to the checked addresses while verifying TLS against the name. For tenant-entered settings;
   * the operator's system relay (which may well be internal) is sent without it.
   */
  addressGuard?: AddressGuard;
  /** Told each stage as it starts and ends (a streamed test); replies redacted like the transcript. */
  onStage?: StageListener;
  /** Aborted: the session ends at once (the socket is closed, QUIT not awaited), failing with `cancelled`. */
  signal?: AbortSignal;
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
  code: SmtpErrorCode;
  responseCode: number | null;
  response: string | null;
  /** 4xx, timeouts and connection errors: worth retrying later. */
  transient: boolean;
  /** Nodemailer's (or the socket's) own code, for logs; never shown as text. */
  cause?: string;
  /**
   * The message was handed over (after 354) but no final reply came (timeout, connection lost):
   * the server may have taken it. Sending it again may deliver a second copy.
   */
  deliveryUnknown?: boolean;
  /** The certificate refused for not being the confirmed one (Node, "always trust"). */
  certificate?: CertificateInfo;
}

/** A recipient the server refused at RCPT TO, with its reply. */
export interface RejectedRecipient {
  recipient: string;
  responseCode: number | null;
  response: string | null;
}

export type SendResult =
  | {
      ok: true;
      messageId: string;
      /** The server's final reply, e.g. `250 2.0.0 Ok: queued as …`. */
      response: string;
      accepted: string[];
      rejected: string[];
      /** The reply to each refused recipient (a refusal of some recipients still sends to the others). */
      rejectedDetails: RejectedRecipient[];
      transcript: TranscriptLine[];
      durationMs: number;
    }
  | {
      ok: false;
      error: NormalizedSmtpError;
      transcript: TranscriptLine[];
      durationMs: number;
    };
