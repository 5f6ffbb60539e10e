import type { OAuthProvider } from '../../../contract/index.ts';
import { SecretUnreadableError } from '../../crypto/secret-box.ts';
import type { MailServerRow, TenantIdentity } from '../../db/schema.ts';
import type { Deps } from '../../http/context.ts';
import { validationError } from '../../http/body.ts';
import { fieldMessage, type FieldCode } from '../../i18n/field-messages.ts';
import type { Lang } from '../../i18n/lang.ts';
import { testMailText } from '../../i18n/test-mail.ts';
import type { NormalizedSmtpError, OutgoingMessage, SmtpSettings } from '../../smtp/types.ts';
import { type Credentials, smtpSettingsFromRow, xoauth2Login } from '../../sending/credentials.ts';
import { accessTokenContext } from '../../oauth/access-token.ts';
import { tenantSender, type Sender } from '../../sending/sender.ts';
import { isSavedServer, pinnedCertificate, storedPasswordRefusal } from '../../../contract/rules/saved-server.ts';
import type { MailServerInput } from '../mail-server/schema.ts';

/** What a test sends through, and as whom. */
export interface TestPlan {
  settings: SmtpSettings;
  /** What the test mail and the warnings describe. */
  described: { host: string; port: number; security: SmtpSettings['security'] };
  /** The saved settings are tested (the test mail says whether invoices go this way). */
  saved: boolean;
  sender: Sender;
  /** With `xoauth2`: whose sign-in the test logs in with (for the hints). */
  oauthProvider?: OAuthProvider;
  /** A refreshed sign-in's tokens being written while the test runs; awaited before it ends. */
  stored?: Promise<void>;
  /** The login cannot happen (no sign-in, or a dead one): the test fails at stage `auth` without connecting. */
  blocked?: NormalizedSmtpError;
}

const passwordError = (code: FieldCode, lang: Lang) =>
  validationError([{ path: 'auth.password', code, message: fieldMessage(code, lang) }]);

/** The saved settings with their password; one that no longer decrypts (a key dropped, a row copied) is asked for again. */
async function savedSettings(deps: Deps, lang: Lang, saved: MailServerRow): Promise<Credentials> {
  try {
    return await smtpSettingsFromRow(saved, await accessTokenContext(deps));
  } catch (error) {
    if (!(error instanceof SecretUnreadableError)) throw error;
    throw passwordError('password_unreadable', lang);
  }
}

/** The password a draft authenticates with: its own, or the stored one for the saved server only. */
async function draftPassword(
  deps: Deps,
  lang: Lang,
  draft: MailServerInput,
  saved: MailServerRow | undefined,
): Promise<string | null> {
  if (draft.auth.method === 'none' || draft.auth.method === 'xoauth2') return null;
  if (typeof draft.auth.password === 'string') return draft.auth.password;
  if (draft.auth.password === undefined && saved?.passwordCiphertext) {
    // Never hand the tenant's stored password to a server (or certificate) other than the one it was saved for.
    const refusal = storedPasswordRefusal(saved, draft);
    if (refusal) throw passwordError(refusal, lang);
    const stored = await savedSettings(deps, lang, saved);
    const password = stored.ok ? stored.settings.auth.password : null;
    if (password) return password;
  }
  throw passwordError('password_required', lang);
}

/** The draft's login: with a password, or with the access token of the tenant's sign-in. */
async function draftLogin(
  deps: Deps,
  lang: Lang,
  tenant: TenantIdentity,
  draft: MailServerInput,
  saved: MailServerRow | undefined,
): Promise<{ auth: SmtpSettings['auth']; blocked?: NormalizedSmtpError; stored?: Promise<void> }> {
  if (draft.auth.method !== 'xoauth2') {
    const password = await draftPassword(deps, lang, draft, saved);
    return { auth: { method: draft.auth.method, username: draft.auth.username, password } };
  }
  const { provider, username } = draft.auth;
  const login = await xoauth2Login(await accessTokenContext(deps), tenant.id, provider, username, draft);
  return login.ok
    ? { auth: login.auth, stored: login.stored }
    : { auth: { method: 'xoauth2', username }, blocked: login.error };
}

/**
 * The draft names the saved configuration as it is (the widget always tests its draft): same
 * server, login (no new password) and sender, so the test mail may say invoices go this way now.
 */
function describesSaved(draft: MailServerInput, saved: MailServerRow | undefined): boolean {
  if (!saved || saved.security !== draft.security || saved.authMethod !== draft.auth.method) return false;
  const sameLogin =
    draft.auth.method === 'xoauth2' ? saved.oauthProvider === draft.auth.provider : draft.auth.password === undefined;
  const sameSender =
    saved.fromAddress === (draft.from.address ?? null) &&
    saved.fromName === (draft.from.name ?? null) &&
    saved.replyTo === (draft.replyTo ?? null);
  return sameLogin && sameSender && isSavedServer(saved, draft);
}

export async function planFromDraft(
  deps: Deps,
  lang: Lang,
  tenant: TenantIdentity,
  draft: MailServerInput,
  saved: MailServerRow | undefined,
): Promise<TestPlan> {
  const { auth, blocked, stored } = await draftLogin(deps, lang, tenant, draft, saved);
  return {
    ...(blocked ? { blocked } : {}),
    ...(stored ? { stored } : {}),
    ...(draft.auth.method === 'xoauth2' ? { oauthProvider: draft.auth.provider } : {}),
    settings: {
      host: draft.host,
      port: draft.port,
      security: draft.security,
      auth,
      // Node only: "always trust" — the confirmed certificate, or (none yet) its details to confirm.
      ...(deps.capabilities.runtime === 'node' && draft.allowUntrustedCertificate
        ? { allowUntrustedCertificate: true, tlsPinSha256: pinnedCertificate(saved, draft) }
        : {}),
    },
    described: { host: draft.host, port: draft.port, security: draft.security },
    saved: describesSaved(draft, saved),
    sender: tenantSender(tenant, {
      fromAddress: draft.from.address,
      fromName: draft.from.name,
      replyTo: draft.replyTo,
    }),
  };
}

export async function planFromSaved(
  deps: Deps,
  lang: Lang,
  tenant: TenantIdentity,
  saved: MailServerRow,
): Promise<TestPlan> {
  const credentials = await savedSettings(deps, lang, saved);
  const settings = credentials.ok
    ? credentials.settings
    : { host: saved.host, port: saved.port, security: saved.security, auth: { method: saved.authMethod } };
  return {
    ...(credentials.ok ? { stored: credentials.stored } : { blocked: credentials.error }),
    ...(saved.oauthProvider ? { oauthProvider: saved.oauthProvider } : {}),
    settings: {
      ...settings,
      // "Always trust" without a pin: a certificate not publicly trusted is shown, to confirm (never pinned here).
      ...(deps.capabilities.runtime === 'node' && saved.allowUntrustedCertificate
        ? { allowUntrustedCertificate: true }
        : {}),
    },
    described: { host: saved.host, port: saved.port, security: saved.security },
    saved: true,
    sender: tenantSender(tenant, saved),
  };
}

/** The test mail: to the tenant's own address, naming the server, port and security tested. */
export function testMail(plan: TestPlan, tenant: TenantIdentity, lang: Lang, now: Date): OutgoingMessage {
  const { subject, text } = testMailText(
    { ...plan.described, senderAddress: plan.sender.from.address, sentAt: now, saved: plan.saved },
    lang,
  );
  return {
    from: plan.sender.from,
    replyTo: plan.sender.replyTo,
    to: [{ address: tenant.email, name: tenant.name }],
    subject,
    text,
    date: now,
  };
}
