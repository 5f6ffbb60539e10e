import type {
  Capabilities,
  EffectiveSender,
  MailServerResponse,
  MailServerSettings,
  OAuthConnection,
} from '../../../contract/index.ts';
import type { MailServerCheckRow, MailServerRow, OAuthGrantRow, TenantIdentity } from '../../db/schema.ts';
import type { Lang } from '../../i18n/lang.ts';
import { testWarnings } from '../../i18n/test-warnings.ts';
import { systemSender, tenantSender } from '../../sending/sender.ts';
import type { SettingsWithGrants } from './store.ts';
import { lastCheckView } from './last-check.ts';

function authView(row: MailServerRow, grants: OAuthGrantRow[]): MailServerSettings['auth'] {
  if (row.authMethod !== 'xoauth2') {
    return { method: row.authMethod, username: row.username, passwordSet: row.passwordCiphertext !== null };
  }
  // The check constraint keeps a provider with every xoauth2 row.
  const provider = row.oauthProvider!;
  const grant = grants.find((g) => g.provider === provider);
  return {
    method: 'xoauth2',
    provider,
    username: row.username ?? grant?.account ?? null,
    connected: !!grant && !grant.invalidAt,
    account: grant?.account ?? null,
    connectedAt: grant ? grant.connectedAt.toISOString() : null,
  };
}

/** The settings as the API shows them: never a password or token, only whether one is stored. */
export function settingsView(row: MailServerRow, grants: OAuthGrantRow[]): MailServerSettings {
  return {
    host: row.host,
    port: row.port,
    security: row.security,
    allowUntrustedCertificate: row.allowUntrustedCertificate,
    auth: authView(row, grants),
    from: { address: row.fromAddress, name: row.fromName },
    replyTo: row.replyTo,
    fallbackToSystem: row.fallbackToSystem,
    trustedCertificateSha256: row.allowUntrustedCertificate ? row.tlsPinSha256 : null,
  };
}

export function connectionsView(grants: OAuthGrantRow[]): OAuthConnection[] {
  return grants.map((g) => ({
    provider: g.provider,
    account: g.account,
    connected: !g.invalidAt,
    connectedAt: g.connectedAt.toISOString(),
  }));
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
  { row, grants }: SettingsWithGrants,
  tenant: TenantIdentity,
  systemFrom: string,
  capabilities: Capabilities,
  lang: Lang,
  check: MailServerCheckRow | undefined,
): MailServerResponse {
  const effective = effectiveSender(row, tenant, systemFrom);
  const settings = row ? settingsView(row, grants) : null;
  return {
    configured: row !== undefined,
    settings,
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
            auth: { method: row.authMethod, username: settings!.auth.username },
            microsoftSignInOffered: capabilities.oauthProviders.includes('microsoft'),
          },
          effective.from.address,
          lang,
        )
      : [],
    oauthConnections: connectionsView(grants),
    lastCheck: lastCheckView(check, lang),
  };
}
