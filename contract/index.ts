// The API's wire shapes, shared with the widget (components/) and with operators' clients.
// Types only: importing this file pulls no runtime code into the widget.

import type { AUTH_METHODS, OAUTH_PROVIDERS, PASSWORD_AUTH_METHODS, SECURITIES } from './values.ts';

export type Security = (typeof SECURITIES)[number];
export type AuthMethod = (typeof AUTH_METHODS)[number];
export type PasswordAuthMethod = (typeof PASSWORD_AUTH_METHODS)[number];
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];
export type Route = 'tenant' | 'system' | 'system-fallback';
export type SmtpStage = 'connect' | 'tls' | 'greeting' | 'ehlo' | 'auth' | 'mail' | 'rcpt' | 'data';

/** Settings as the API returns them (GET, and the body of a successful PUT). */
export interface MailServerSettings {
  host: string;
  port: number;
  security: Security;
  allowUntrustedCertificate: boolean;
  auth: PasswordAuthView | OAuthAuthView;
  from: { address: string | null; name: string | null };
  replyTo: string | null;
  fallbackToSystem: boolean;
  /** With `allowUntrustedCertificate` (Node): the SHA-256 of the one certificate the tenant confirmed (the pin). */
  trustedCertificateSha256: string | null;
}

export interface PasswordAuthView {
  method: PasswordAuthMethod;
  username: string | null;
  passwordSet: boolean;
}

/** Sign-in with the provider: the grant is stored apart from the settings (either may come first). */
export interface OAuthAuthView {
  method: 'xoauth2';
  provider: OAuthProvider;
  /** The mailbox logged in to: the one saved, else the signed-in account. */
  username: string | null;
  /** A grant is stored and was not found dead (revoked, expired, consent withdrawn). */
  connected: boolean;
  /** The signed-in account, as the provider's ID token names it. */
  account: string | null;
  connectedAt: string | null;
}

/** A grant the tenant gave by signing in, whether or not the saved settings use it. */
export interface OAuthConnection {
  provider: OAuthProvider;
  account: string;
  connected: boolean;
  connectedAt: string;
}

/** Settings as a PUT (or a draft for the test) sends them; the password is write-only. */
export interface MailServerSettingsInput {
  host: string;
  port?: number;
  security: Security;
  allowUntrustedCertificate?: boolean;
  auth?:
    | {
        method: PasswordAuthMethod;
        username?: string | null;
        /** Omitted: keep the stored password. `null`: clear it. */
        password?: string | null;
      }
    | {
        method: 'xoauth2';
        provider: OAuthProvider;
        /** Omitted or null: the signed-in account. */
        username?: string | null;
      };
  from?: { address?: string | null; name?: string | null } | null;
  replyTo?: string | null;
  fallbackToSystem?: boolean;
  /**
   * With `allowUntrustedCertificate`: the SHA-256 (hex, colons optional) of the certificate the tenant
   * confirmed; a connection goes on only when the server presents this one. Omitted: keep the pin
   * (same host and port). Another one than the pin, with a stored password: the password is needed again.
   */
  trustedCertificateSha256?: string | null;
}

export type Runtime = 'workers' | 'node';

/** What the runtime can do; reported to the widget so it can disable what cannot work here. */
export interface Capabilities {
  runtime: Runtime;
  allowUntrustedCertificate: boolean;
  blockedPorts: number[];
  /** The providers the operator registered an app with: the tenant may sign in with these. */
  oauthProviders: OAuthProvider[];
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
  /** Risky but working setups of the saved settings (as a test reports them). */
  warnings: TestWarning[];
  /** The tenant's sign-ins (grants), one per provider. */
  oauthConnections: OAuthConnection[];
  /** The latest verify or test of exactly the saved settings (none since they were saved as they are: null). */
  lastCheck: LastCheck | null;
}

/** Issue #19: a verify or test of the saved settings (or of a draft then saved as it was). */
export interface LastCheck {
  ok: boolean;
  /** When the check ended (ISO 8601). */
  at: string;
  kind: 'verify' | 'test';
  /** Why it failed, in the request's language. */
  error?: { code: SmtpErrorCode; message: string };
}

/** How a discovered server lets one log in: a password, or signing in with the provider (XOAUTH2). */
export type DiscoverAuth = 'password' | 'oauth2';
/** Where a discovered candidate came from, in the order discovery asks. */
export type DiscoverSource = 'ispdb' | 'autoconfig' | 'mx' | 'srv' | 'probe';

/** One outgoing server found for an address; placeholders in `host` and `username` are filled in. */
export interface DiscoverCandidate {
  host: string;
  port: number;
  security: Security;
  /** In the source's order of preference; empty when the server takes no login. */
  auth: DiscoverAuth[];
  /** Set when `auth` offers `oauth2` and the host is that provider's own submission server. */
  oauthProvider?: OAuthProvider;
  username: string;
  source: DiscoverSource;
  note?: string;
}

/** `GET /v1/mail-server/discover?address=…`: candidates best first, and what each step took. */
export interface DiscoverResult {
  domain: string;
  provider: { id: string; name: string } | null;
  candidates: DiscoverCandidate[];
  lookups: { step: string; ok: boolean; ms: number }[];
}

/** `POST /v1/mail-server/oauth/start` */
export interface OAuthStartRequest {
  provider: OAuthProvider;
  /** The account to preselect; default the tenant's address. */
  loginHint?: string;
  /**
   * `popup` (default): the callback page posts the result to the starting origin and closes.
   * `redirect` (popups blocked): the callback sends the browser back to `returnTo`.
   */
  mode?: 'popup' | 'redirect';
  /** With `redirect`: a URL of the starting origin; the result arrives as `?mailServerOAuth=…`. */
  returnTo?: string;
}

export interface OAuthStartResponse {
  authorizationUrl: string;
  /**
   * Proves at `complete` that the page finishing the sign-in is the one that started it (a link
   * forwarded to someone else cannot connect their account). Keep it in memory, or in
   * sessionStorage for redirect mode; never put it in a URL.
   */
  binding: string;
}

/** `POST /v1/mail-server/oauth/complete`: connects the sign-in; answers the new OAuthConnection. */
export interface OAuthCompleteRequest {
  binding: string;
  /** From the callback's message (popup) or the `completion` query parameter (redirect). */
  completion: string;
}

/** What the callback page posts to the starting origin (popup), also the query of a redirect back. */
export interface OAuthCallbackMessage {
  type: 'mail-server-oauth';
  ok: boolean;
  provider: OAuthProvider | null;
  account: string | null;
  /** Why it failed: `access_denied` (the tenant cancelled), `state_invalid`, `exchange_failed`, … */
  error?: string;
  /** On success: single use, good for ten minutes; `complete` takes it with the start's binding. */
  completion?: string;
}

/** RFC 9457 problem+json, with field errors for validation failures. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  /** The field errors, the first 20 found; a field has at most one. */
  errors?: { path: string; code: string; message: string }[];
  /** How many field errors were found beyond the 20 in `errors` (absent when none were left out). */
  errorsOmitted?: number;
  [extension: string]: unknown;
}

export interface TranscriptLine {
  /** `c` = client to server, `s` = server to client, `i` = information (connection, TLS). */
  dir: 'c' | 's' | 'i';
  line: string;
}

/** Why an SMTP test or send failed: the engine's reading of a server's reply or socket error, or an outbox outcome. */
export type SmtpErrorCode =
  | 'connection_refused'
  | 'connection_timeout'
  | 'connection_failed'
  | 'host_not_found'
  | 'host_unreachable'
  | 'greeting_timeout'
  | 'greeting_invalid'
  | 'greeting_rejected'
  | 'server_unavailable'
  | 'response_timeout'
  | 'total_timeout'
  | 'connection_closed'
  | 'protocol_error'
  | 'ehlo_rejected'
  | 'starttls_unavailable'
  | 'tls_unavailable_temporary'
  | 'certificate_untrusted'
  | 'certificate_expired'
  | 'certificate_name_mismatch'
  | 'certificate_pin_mismatch'
  | 'tls_failed_workers'
  | 'tls_failed'
  | 'tls_closed'
  | 'tls_timeout'
  | 'auth_failed'
  | 'auth_app_password_required'
  | 'auth_method_unsupported'
  | 'auth_unavailable'
  | 'auth_encryption_required'
  | 'auth_temporary'
  | 'auth_credentials_missing'
  | 'auth_required'
  | 'auth_smtp_disabled'
  | 'auth_basic_blocked'
  | 'send_as_denied'
  | 'oauth_not_connected'
  | 'oauth_grant_invalid'
  | 'oauth_token_unavailable'
  | 'oauth_provider_unavailable'
  | 'oauth_host_not_allowed'
  | 'relay_denied'
  | 'sender_rejected'
  | 'recipient_rejected'
  | 'recipient_temporary'
  | 'message_too_large'
  | 'message_rejected_policy'
  | 'message_rejected'
  | 'temporary_failure'
  | 'rejected'
  | 'recipients_rejected'
  | 'recipients_refused'
  | 'test_unconfirmed'
  | 'test_interrupted'
  | 'interrupted'
  | 'delivery_unknown'
  | 'payload_missing'
  | 'payload_unusable'
  | 'fallback_turned_off'
  | 'system_relay_not_configured'
  | 'credentials_unreadable'
  | 'host_private'
  | 'private_address'
  | 'port_blocked'
  | 'not_configured'
  | 'unknown'
  | 'certificate_unconfirmed'
  // A test or verify the tenant cancelled while it ran.
  | 'cancelled';

export interface SmtpError {
  stage: SmtpStage;
  code: SmtpErrorCode;
  responseCode: number | null;
  response: string | null;
  message: string;
  hint: string;
  /** `certificate_unconfirmed`, `certificate_pin_mismatch`: the certificate the server presented, to confirm. */
  certificate?: CertificateInfo;
}

/** Setups that work but are risky. */
export type TestWarningCode = 'no_encryption' | 'microsoft_basic_auth_retiring' | 'sender_domain_mismatch';

export interface TestWarning {
  code: TestWarningCode;
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

/** `POST /v1/mail-server/verify`: a test's result without a message (nothing was sent); `response` is the reply to RCPT TO. */
export type VerifyResult = Omit<Extract<TestResult, { ok: true }>, 'messageId'> | Extract<TestResult, { ok: false }>;

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
  /** When a `retrying` mail is tried next (null otherwise). */
  nextAttemptAt: string | null;
  createdAt: string;
  sentAt: string | null;
}

export interface DeliveriesResponse {
  deliveries: DeliverySummary[];
  nextCursor: string | null;
  /** Whether the operator set up the system relay, so "Send via the system mail server" can be offered. */
  sendViaSystem: boolean;
}

// #19, being told: `GET /v1/deliveries/problems` and `POST /v1/deliveries/problems/acknowledge`.
/** Business mail that failed for good or went through the system mail server, not yet acknowledged. */
export interface DeliveryProblems {
  problems: DeliverySummary[];
}

/** The problems the acknowledge call marked as seen. */
export interface ProblemsAcknowledged {
  acknowledged: string[];
}

/** Answer of `POST /v1/tenants/:tenantId/messages` (202): the message is stored and queued. */
export interface MessageAccepted {
  id: string;
  status: DeliveryStatus;
}

/** One attempt in a message's history. */
export interface MessageAttempt {
  at: string;
  route: Route;
  status: 'sent' | 'retrying' | 'failed';
  response: string | null;
  error: SmtpError | null;
}

/** `GET /v1/tenants/:tenantId/messages/:id`: where a message of the host application stands. */
export interface MessageView {
  id: string;
  kind: 'invoice' | 'reminder' | 'document';
  status: DeliveryStatus;
  route: Route | null;
  attempts: number;
  messageId: string | null;
  response: string | null;
  error: SmtpError | null;
  fallbackReason: SmtpError | null;
  acceptedRecipients: string[];
  history: MessageAttempt[];
  reference: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
}

/** `PUT /v1/tenants/:tenantId`: the tenant's profile as stored. */
export interface TenantProfile {
  id: string;
  name: string;
  email: string;
}

/** A server certificate as the widget shows it for the tenant to confirm (trust it and pin it). */
export interface CertificateInfo {
  /** SHA-256 of the certificate (DER), upper-case hex without separators. */
  sha256: string;
  /** Distinguished names, e.g. `CN=mail.example.com, O=Example`. */
  subject: string;
  issuer: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
}

/** SPF's results (RFC 7208 2.6) for the route's sending server and the sender domain. */
export type SpfResult = 'pass' | 'fail' | 'softfail' | 'neutral' | 'none' | 'permerror' | 'temperror';
export type DmarcPolicy = 'none' | 'quarantine' | 'reject';
export type DomainCheckVerdict = 'ok' | 'warning' | 'problem';
/** `problem`: mail is likely rejected or marked as spam; `warning`: a risk or not checked; `info`: a hint. */
export type DomainCheckSeverity = 'problem' | 'warning' | 'info';
export type DomainCheckFindingCode =
  | 'dns_unavailable'
  | 'server_address_unknown'
  | 'spf_checked_host_address'
  | 'spf_missing'
  | 'spf_not_authorizing'
  | 'spf_softfail_only'
  | 'spf_permerror'
  | 'dmarc_missing'
  | 'dmarc_policy_none'
  | 'dmarc_reject_unaligned'
  | 'dkim_selectors_missing';

export interface DomainCheckFinding {
  code: DomainCheckFindingCode;
  severity: DomainCheckSeverity;
  /** What is wrong and, where possible, what to change in the DNS. */
  message: string;
}

/** `GET /v1/mail-server/domain-check[?address=…]`: would mail from the address pass SPF and DMARC on the route it takes now. */
export interface DomainCheckResult {
  /** The address checked: `address`, else the saved sender; on the system route the system sender. */
  address: string;
  domain: string;
  route: 'tenant' | 'system';
  spf: {
    /** null: not evaluated (the sending server's address is unknown). */
    result: SpfResult | null;
    /** The domain's SPF record; null when it has none, or several. */
    record: string | null;
    /** What was checked, e.g. whether the record authorizes `include:spf.protection.outlook.com`. */
    detail: string;
  };
  dmarc: {
    /** `none`: no DMARC record; `temperror`: not checked (DNS). */
    result: 'pass' | 'fail' | 'none' | 'temperror';
    /** The policy that applies to the domain (`sp` for a subdomain under its organizational domain's record). */
    policy: DmarcPolicy | null;
    record: string | null;
    /** SPF passes for the From domain (the route sends with From = envelope sender); null: unknown. */
    aligned: boolean | null;
  };
  /** DKIM selectors of the provider's usual names that exist (a hint: signing is not checked). */
  dkim: { selectorsFound: string[] };
  verdict: DomainCheckVerdict;
  findings: DomainCheckFinding[];
}

/** The webhook events (docs/webhooks.md), each sent as `{ type, timestamp, data }`. */
export const WEBHOOK_EVENT_TYPES = [
  'message.sent',
  'message.retrying',
  'message.failed',
  'message.fallback',
  'mail_server.changed',
  'mail_server.grant_expired',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'retrying', 'failed'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** One event in `GET /v1/webhook-deliveries`: what was sent (the signed body) and how its delivery went. */
export interface WebhookDeliverySummary {
  /** The `webhook-id`, the same on every retry and replay. */
  id: string;
  type: WebhookEventType;
  tenantId: string | null;
  status: WebhookDeliveryStatus;
  attempts: number;
  /** The receiver's HTTP status of the last attempt; null when it gave none (then `lastError`). */
  lastResponseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  event: { type: WebhookEventType; timestamp: string; data: Record<string, unknown> };
}

export interface WebhookDeliveriesResponse {
  webhookDeliveries: WebhookDeliverySummary[];
  nextCursor: string | null;
}
