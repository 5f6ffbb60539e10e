import type { Deps } from '../../http/context.ts';
import type { TenantIdentity } from '../../db/schema.ts';
import { validationError } from '../../http/body.ts';
import { ApiError, type FieldError } from '../../http/problem.ts';
import { fieldMessage, type FieldCode } from '../../i18n/field-messages.ts';
import type { Lang } from '../../i18n/lang.ts';
import { oauthTargetRefusal } from '../../oauth/target.ts';
import { isPrivateHost } from '../../smtp/target.ts';
import { storedPasswordRefusal } from '../../../contract/rules/saved-server.ts';
import { secretBoxFor } from '../../crypto/secret-box.ts';
import type { MailServerInput } from './schema.ts';
import { passwordMac } from './last-check.ts';
import {
  CredentialsMissingError,
  readSettings,
  writeSettings,
  type ExpectedVersion,
  type PasswordChange,
  type SettingsWithGrants,
} from './store.ts';

/** Field errors for settings that are valid in general but not on this runtime. */
export function runtimeFieldErrors(deps: Deps, lang: Lang, input: MailServerInput): FieldError[] {
  const { capabilities } = deps;
  const errors: FieldError[] = [];
  // Anti-SSRF: the API must not become a probe of internal networks (checked again before connecting).
  if (!deps.config.allowPrivateHosts && isPrivateHost(input.host)) {
    errors.push({ path: 'host', code: 'host_private', message: fieldMessage('host_private', lang) });
  }
  if (capabilities.blockedPorts.includes(input.port)) {
    errors.push({ path: 'port', code: 'port_blocked', message: fieldMessage('port_blocked', lang) });
  }
  if (input.auth.method === 'xoauth2' && !capabilities.oauthProviders.includes(input.auth.provider)) {
    errors.push({
      path: 'auth.provider',
      code: 'oauth_provider_unavailable',
      message: fieldMessage('oauth_provider_unavailable', lang),
    });
  }
  const refusal =
    input.auth.method === 'xoauth2' ? oauthTargetRefusal(deps.config.oauth, input.auth.provider, input) : null;
  if (refusal) {
    const path = refusal === 'oauth_host_mismatch' ? 'host' : 'allowUntrustedCertificate';
    errors.push({ path, code: refusal, message: fieldMessage(refusal, lang) });
  }
  if (input.allowUntrustedCertificate && !capabilities.allowUntrustedCertificate) {
    errors.push({
      path: 'allowUntrustedCertificate',
      code: 'untrusted_certificate_unsupported',
      message: fieldMessage('untrusted_certificate_unsupported', lang),
    });
  }
  return errors;
}

/** What the save does with the stored password: keep it (absent), clear it (null), or seal a new one. */
async function passwordChange(deps: Deps, tenant: TenantIdentity, input: MailServerInput): Promise<PasswordChange> {
  if (input.auth.method === 'xoauth2') return { kind: 'clear' };
  if (input.auth.password === undefined) return { kind: 'keep' };
  if (input.auth.password === null) return { kind: 'clear' };
  const key = deps.config.settingsEncryptionKey;
  return {
    kind: 'set',
    sealed: await (await secretBoxFor(key)).seal(input.auth.password, tenant.id),
    mac: await passwordMac(key, tenant.id, input.auth.password),
  };
}

/** Why a save without password has none: nothing stored, or stored for another server or certificate only. */
async function missingPasswordError(deps: Deps, tenant: TenantIdentity, lang: Lang, input: MailServerInput) {
  const keeps = input.auth.method !== 'xoauth2' && input.auth.password === undefined;
  const saved = keeps ? await readSettings(deps.db, tenant, deps.now()) : undefined;
  const code: FieldCode = (saved?.passwordCiphertext && storedPasswordRefusal(saved, input)) || 'password_required';
  return validationError([{ path: 'auth.password', code, message: fieldMessage(code, lang) }]);
}

/** Saves the settings when the If-Match expectation holds (else 412); field errors are a 422 and change nothing. */
export async function saveMailServer(
  deps: Deps,
  tenant: TenantIdentity,
  lang: Lang,
  input: MailServerInput,
  expected: ExpectedVersion,
): Promise<SettingsWithGrants> {
  const runtimeErrors = runtimeFieldErrors(deps, lang, input);
  if (runtimeErrors.length > 0) throw validationError(runtimeErrors);
  const password = await passwordChange(deps, tenant, input);
  let saved: SettingsWithGrants;
  try {
    saved = await writeSettings(deps.db, tenant, input, password, expected, lang, deps.now(), deps.config.webhooks);
  } catch (error) {
    if (!(error instanceof CredentialsMissingError)) throw error;
    throw await missingPasswordError(deps, tenant, lang, input);
  }
  if (!saved.row) throw new ApiError(412, 'precondition_failed');
  deps.handOverWebhooks(tenant.id);
  return saved;
}
