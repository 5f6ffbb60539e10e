import type {
  Capabilities,
  EffectiveSender,
  MailServerResponse,
  MailServerSettings,
  PasswordAuthMethod,
} from '../../../contract/index.ts';
import type { TenantIdentity, MailServerRow } from '../../db/schema.ts';
import type { Lang } from '../../i18n/lang.ts';
import { testWarnings } from '../../i18n/test-warnings.ts';
import { systemSender, tenantSender } from '../../sending/sender.ts';

/** The settings as the API shows them: never the password, only whether one is stored. */
export function settingsView(row: MailServerRow): MailServerSettings {
  return {
    host: row.host,
    port: row.port,
    security: row.security,
    allowUntrustedCertificate: row.allowUntrustedCertificate,
    auth: {
      method: row.authMethod as PasswordAuthMethod,
      username: row.username,
      passwordSet: row.passwordCiphertext !== null,
    },
    from: { address: row.fromAddress, name: row.fromName },
    replyTo: row.replyTo,
    fallbackToSystem: row.fallbackToSystem,
  };
}

/** The sender actually used now: the tenant route with overrides, or the system relay. */
export function effectiveSender(
  row: MailServerRow | undefined,
  tenant: TenantIdentity,
  systemFrom: string,
): EffectiveSender {
  return row
    ? { route: 'tenant', ...tenantSender(tenant, row) }
    : { route: 'system', ...systemSender(systemFrom, tenant) };
}

export function mailServerResponse(
  row: MailServerRow | undefined,
  tenant: TenantIdentity,
  systemFrom: string,
  capabilities: Capabilities,
  lang: Lang,
): MailServerResponse {
  const effective = effectiveSender(row, tenant, systemFrom);
  return {
    configured: row !== undefined,
    settings: row ? settingsView(row) : null,
    version: row?.version ?? 0,
    updatedAt: row ? row.updatedAt.toISOString() : null,
    effective,
    capabilities,
    // What a test of the saved settings would warn about, shown before any test.
    warnings: row
      ? testWarnings(
          {
            host: row.host,
            security: row.security,
            auth: { method: row.authMethod, username: row.username },
            microsoftSignInOffered: capabilities.oauthProviders.includes('microsoft'),
          },
          effective.from.address,
          lang,
        )
      : [],
    oauthConnections: [],
  };
}
