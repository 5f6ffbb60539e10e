import type { SmtpErrorCode, SmtpStage } from '../../contract/index.ts';

/** The stage a command belongs to; null for a command that names none. */
export function stageOfCommand(command: string | undefined): SmtpStage | null {
  if (!command) return null;
  const c = command.toUpperCase();
  if (c === 'MAIL FROM') return 'mail';
  if (c === 'RCPT TO') return 'rcpt';
  if (c === 'DATA') return 'data';
  if (c.startsWith('AUTH')) return 'auth';
  if (c === 'EHLO' || c === 'HELO' || c === 'LHLO') return 'ehlo';
  if (c === 'STARTTLS') return 'tls';
  return null;
}

function authReplyCode(
  temporary: boolean,
  responseCode: number,
  enhanced: string | null,
  response: string,
): SmtpErrorCode {
  if (temporary) return 'auth_temporary';
  // Microsoft 365: SMTP AUTH switched off for the tenant or mailbox; basic auth blocked outright.
  if (enhanced === '5.7.139' || /SmtpClientAuthentication is disabled|basic authentication is disabled/i.test(response))
    return 'auth_smtp_disabled';
  if (enhanced === '5.7.30' || /basic authentication is not supported/i.test(response)) return 'auth_basic_blocked';
  if (responseCode === 504 || /mechanism|not supported|unrecognized authentication/i.test(response))
    return 'auth_method_unsupported';
  if (responseCode === 534 || enhanced === '5.7.9' || /application-specific|app password|web ?login/i.test(response))
    return 'auth_app_password_required';
  if (responseCode === 503 || responseCode === 500 || responseCode === 502) return 'auth_unavailable';
  if (responseCode === 538 || enhanced === '5.7.11') return 'auth_encryption_required';
  return 'auth_failed';
}

/** Microsoft 365 refusing the sender for the logged-in account: at MAIL FROM (5.7.60) or after the message (5.2.0). */
function isSendAsDenied(enhanced: string | null, response: string): boolean {
  return /SendAsDenied/i.test(response) || (enhanced === '5.7.60' && /send as/i.test(response));
}

function isTooLarge(stage: SmtpStage, responseCode: number, enhanced: string | null): boolean {
  return (
    responseCode === 552 || enhanced === '5.3.4' || enhanced === '5.2.3' || (enhanced === '5.2.2' && stage === 'data')
  );
}

/** Our code for a 4xx/5xx reply, by the stage it came in, its code, enhanced code and wording. */
export function codeOfReply(
  stage: SmtpStage,
  responseCode: number,
  enhanced: string | null,
  response: string,
): SmtpErrorCode {
  const temporary = responseCode < 500;
  if (responseCode === 421) return 'server_unavailable';
  if (stage === 'greeting') return temporary ? 'server_unavailable' : 'greeting_rejected';
  if (stage === 'tls') return temporary ? 'tls_unavailable_temporary' : 'starttls_unavailable';
  if (stage === 'ehlo') return temporary ? 'server_unavailable' : 'ehlo_rejected';
  if (stage === 'auth') return authReplyCode(temporary, responseCode, enhanced, response);
  if (!temporary && isSendAsDenied(enhanced, response)) return 'send_as_denied';
  if (isTooLarge(stage, responseCode, enhanced)) return 'message_too_large';
  if (responseCode === 530 || (enhanced === '5.7.0' && /auth/i.test(response))) return 'auth_required';
  if (stage === 'mail') {
    if (temporary) return 'temporary_failure';
    if (
      enhanced === '5.7.1' ||
      /relay|not owned|not allowed|not permitted|send ?as|sender address rejected|mismatch/i.test(response)
    )
      return 'relay_denied';
    return 'sender_rejected';
  }
  if (stage === 'rcpt') {
    if (temporary) return 'recipient_temporary';
    if (enhanced === '5.7.1' && /relay/i.test(response)) return 'relay_denied';
    return 'recipient_rejected';
  }
  if (stage === 'data') {
    if (temporary) return 'temporary_failure';
    if (enhanced?.startsWith('5.7.')) return 'message_rejected_policy';
    return 'message_rejected';
  }
  return temporary ? 'temporary_failure' : 'rejected';
}
