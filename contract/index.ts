// The API's wire shapes, shared with the widget (components/) and with operators' clients.
// Types only: importing this file pulls no runtime code into the widget.

export type Security = 'none' | 'starttls' | 'tls';
export type AuthMethod = 'none' | 'plain' | 'login' | 'cram-md5';
export type Route = 'tenant' | 'system' | 'system-fallback';
export type SmtpStage = 'connect' | 'tls' | 'greeting' | 'ehlo' | 'auth' | 'mail' | 'rcpt' | 'data';

/** Settings as the API returns them (GET, and the body of a successful PUT). */
export interface MailServerSettings {
  host: string;
  port: number;
  security: Security;
  allowUntrustedCertificate: boolean;
  auth: { method: AuthMethod; username: string | null; passwordSet: boolean };
  from: { address: string | null; name: string | null };
  replyTo: string | null;
  fallbackToSystem: boolean;
}

/** Settings as a PUT (or a draft for the test) sends them; the password is write-only. */
export interface MailServerSettingsInput {
  host: string;
  port?: number;
  security: Security;
  allowUntrustedCertificate?: boolean;
  auth?: {
    method: AuthMethod;
    username?: string | null;
    /** Omitted: keep the stored password. `null`: clear it. */
    password?: string | null;
  };
  from?: { address?: string | null; name?: string | null } | null;
  replyTo?: string | null;
  fallbackToSystem?: boolean;
}

export interface Capabilities {
  runtime: 'workers' | 'node';
  allowUntrustedCertificate: boolean;
  blockedPorts: number[];
}

export interface EffectiveSender {
  route: 'tenant' | 'system';
  from: { address: string; name: string };
  replyTo: string;
}

/** `GET /v1/mail-server` (also the body of a successful PUT). ETag header = `"<version>"`. */
export interface MailServerResponse {
  configured: boolean;
  settings: MailServerSettings | null;
  version: number;
  updatedAt: string | null;
  effective: EffectiveSender;
  capabilities: Capabilities;
}

/** RFC 9457 problem+json, with field errors for validation failures. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  errors?: { path: string; code: string; message: string }[];
  [extension: string]: unknown;
}

export interface TranscriptLine {
  /** `c` = client to server, `s` = server to client, `i` = information (connection, TLS). */
  dir: 'c' | 's' | 'i';
  line: string;
}

export interface SmtpError {
  stage: SmtpStage;
  code: string;
  responseCode: number | null;
  response: string | null;
  message: string;
  hint: string;
}

export interface TestWarning {
  code: string;
  message: string;
}

/** `POST /v1/mail-server/test` answers 200 with one of these. */
export type TestResult =
  | {
      ok: true;
      messageId: string;
      response: string;
      durationMs: number;
      transcript: TranscriptLine[];
      warnings: TestWarning[];
    }
  | {
      ok: false;
      error: SmtpError;
      durationMs: number;
      transcript: TranscriptLine[];
      warnings: TestWarning[];
    };

export type DeliveryStatus = 'queued' | 'sending' | 'sent' | 'retrying' | 'failed';

/** One row of `GET /v1/deliveries`. */
export interface DeliverySummary {
  id: string;
  kind: 'test' | 'invoice' | 'reminder' | 'document';
  status: DeliveryStatus;
  route: Route | null;
  recipients: string[];
  subject: string;
  attempts: number;
  response: string | null;
  error: SmtpError | null;
  fallbackReason: SmtpError | null;
  createdAt: string;
  sentAt: string | null;
}

export interface DeliveriesResponse {
  deliveries: DeliverySummary[];
  nextCursor: string | null;
}
