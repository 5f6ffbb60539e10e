import type { DeliverySummary, MailServerResponse, OAuthProvider, Problem, TestResult } from '../contract/index.ts';

// Typed events of <mail-server-settings>. All bubble and cross shadow roots (composed), so a
// host page can listen on the element or on any ancestor.

const init = { bubbles: true, composed: true } as const;

/** The settings were saved; `detail` is the API's answer (settings, version, effective sender). */
export class MailServerSavedEvent extends CustomEvent<MailServerResponse> {
  constructor(detail: MailServerResponse) {
    super('mail-server-saved', { ...init, detail });
  }
}

/** The tenant's settings were discarded; mail goes through the system server again. */
export class MailServerResetEvent extends CustomEvent<MailServerResponse> {
  constructor(detail: MailServerResponse) {
    super('mail-server-reset', { ...init, detail });
  }
}

/** A test send finished (successfully or not); `detail` is the test result. */
export class MailServerTestedEvent extends CustomEvent<TestResult> {
  constructor(detail: TestResult) {
    super('mail-server-tested', { ...init, detail });
  }
}

export interface MailServerOAuthConnectedDetail {
  provider: OAuthProvider;
  /** The signed-in account, as the provider names it. */
  account: string | null;
}

/** The tenant signed in with a provider (in the popup, or back from the redirect); the grant is stored. */
export class MailServerOAuthConnectedEvent extends CustomEvent<MailServerOAuthConnectedDetail> {
  constructor(detail: MailServerOAuthConnectedDetail) {
    super('mail-server-oauth-connected', { ...init, detail });
  }
}

/** The tenant disconnected a provider's sign-in; the grant is deleted (and revoked where the provider can). */
export class MailServerOAuthDisconnectedEvent extends CustomEvent<{ provider: OAuthProvider }> {
  constructor(detail: { provider: OAuthProvider }) {
    super('mail-server-oauth-disconnected', { ...init, detail });
  }
}

export type MailServerAction =
  | 'load'
  | 'save'
  | 'test'
  | 'reset'
  | 'deliveries'
  | 'sign-in'
  | 'disconnect'
  | 'discover'
  | 'domain-check';

export interface MailServerErrorDetail {
  /** What the element was doing when the error happened. */
  action: MailServerAction;
  /** The HTTP status, or null when the request did not get an answer (network error, no token). */
  status: number | null;
  /** The problem+json body the API sent, when there was one. */
  problem: Problem | null;
  /** The message the element shows, in its language. */
  message: string;
}

/** A request failed; the element shows the message too. */
export class MailServerErrorEvent extends CustomEvent<MailServerErrorDetail> {
  constructor(detail: MailServerErrorDetail) {
    super('mail-server-error', { ...init, detail });
  }
}

/**
 * Business mail failed for good or went out through the system mail server (the banner shows it
 * until acknowledged); `detail.problems`: the mails not announced before by this element.
 */
export class MailServerDeliveryProblemEvent extends CustomEvent<{ problems: DeliverySummary[] }> {
  constructor(detail: { problems: DeliverySummary[] }) {
    super('mail-server-delivery-problem', { ...init, detail });
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mail-server-saved': MailServerSavedEvent;
    'mail-server-reset': MailServerResetEvent;
    'mail-server-tested': MailServerTestedEvent;
    'mail-server-error': MailServerErrorEvent;
    'mail-server-oauth-connected': MailServerOAuthConnectedEvent;
    'mail-server-oauth-disconnected': MailServerOAuthDisconnectedEvent;
    'mail-server-delivery-problem': MailServerDeliveryProblemEvent;
  }
}
