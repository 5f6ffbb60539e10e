import { and, eq, exists, inArray, notExists, or, sql, type SQL } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Database } from '../../db/database.ts';
import type { WebhookConfig } from '../../config/webhooks.ts';
import { mailServerChangedEvent } from '../../outbox/webhooks-events.ts';
import {
  type MailServerCheckRow,
  type MailServerRow,
  mailServers,
  type OAuthGrantRow,
  oauthGrants,
  type TenantIdentity,
  tenants,
} from '../../db/schema.ts';
import type { SealedSecret } from '../../crypto/secret-box.ts';
import type { Lang } from '../../i18n/lang.ts';
import type { MailServerInput } from './schema.ts';
import { checksOf, deleteChecks } from './checks-store.ts';

/** What an If-Match header asks for: any version, "must exist" (`*`), or one of a list of versions (0 = not configured). */
export type ExpectedVersion = { kind: 'any' } | { kind: 'exists' } | { kind: 'exact'; versions: number[] };

/** An If-Match list split into "not configured" (version 0) and the versions of a stored row. */
function splitExpected(expected: Extract<ExpectedVersion, { kind: 'exact' }>) {
  return { absent: expected.versions.includes(0), stored: expected.versions.filter((v) => v > 0) };
}

/** Upserts the tenant from its token claims; writes only when name or e-mail changed. */
export function upsertTenant(db: Database, tenant: TenantIdentity, now: Date) {
  return db
    .insert(tenants)
    .values({ id: tenant.id, name: tenant.name, email: tenant.email, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: tenants.id,
      set: {
        name: sql`coalesce(nullif(excluded.name, ''), ${tenants.name})`,
        email: sql`excluded.email`,
        updatedAt: now,
      },
      setWhere: sql`(excluded.name <> '' AND ${tenants.name} <> excluded.name) OR ${tenants.email} <> excluded.email`,
    });
}

/** One round trip: the tenant upsert and the settings read in one batch. */
export async function readSettings(
  db: Database,
  tenant: TenantIdentity,
  now: Date,
): Promise<MailServerRow | undefined> {
  const [, rows] = await db.batch([
    upsertTenant(db, tenant, now),
    db.select().from(mailServers).where(eq(mailServers.tenantId, tenant.id)),
  ]);
  return rows[0];
}

/** The saved settings with the tenant's sign-ins (grants) and recent checks, for the settings view. */
export interface SettingsWithGrants {
  row: MailServerRow | undefined;
  grants: OAuthGrantRow[];
  checks: MailServerCheckRow[];
}

const grantsOf = (db: Database, tenant: TenantIdentity) =>
  db.select().from(oauthGrants).where(eq(oauthGrants.tenantId, tenant.id));

/** One round trip: the tenant upsert, the settings, the grants and the checks. */
export async function readSettingsWithGrants(
  db: Database,
  tenant: TenantIdentity,
  now: Date,
): Promise<SettingsWithGrants> {
  const [, rows, grants, checks] = await db.batch([
    upsertTenant(db, tenant, now),
    db.select().from(mailServers).where(eq(mailServers.tenantId, tenant.id)),
    grantsOf(db, tenant),
    checksOf(db, tenant.id),
  ]);
  return { row: rows[0], grants, checks };
}

/**
 * Password change requested by a PUT: keep what is stored, clear it, or store a new sealed one
 * with its MAC (for the last check's fingerprint, last-check.ts).
 */
export type PasswordChange = { kind: 'keep' } | { kind: 'clear' } | { kind: 'set'; sealed: SealedSecret; mac: string };

export class CredentialsMissingError extends Error {}

function isCredentialsCheckFailure(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof Error && e.message.includes('mail_servers_credentials_check')) return true;
  }
  return false;
}

/**
 * The stored row is the saved server, reached no less safely (contract/rules/saved-server.ts
 * isSavedServer, as SQL): same host (case-insensitive), port and user name; encryption not switched
 * off, CRAM-MD5 not switched to a method that sends the password in clear, the certificate check not
 * switched off, no other certificate pinned. Only then is a stored password kept; a save naming another server brings its own.
 */
function savedServerCondition(input: MailServerInput): SQL {
  const inClear = input.security === 'none' && (input.auth.method === 'plain' || input.auth.method === 'login');
  const noDowngrade = sql.join([
    input.security === 'none' ? sql` AND ${mailServers.security} = 'none'` : sql``,
    inClear ? sql` AND ${mailServers.authMethod} <> 'cram-md5'` : sql``,
    input.allowUntrustedCertificate ? sql` AND ${mailServers.allowUntrustedCertificate} = 1` : sql``,
    // No other certificate pinned than the one the password was saved for (omitted: the pin stays).
    input.allowUntrustedCertificate && input.trustedCertificateSha256 !== undefined
      ? sql` AND ${mailServers.tlsPinSha256} IS ${input.trustedCertificateSha256}`
      : sql``,
  ]);
  return sql`lower(${mailServers.host}) = lower(${input.host}) AND ${mailServers.port} = ${input.port} AND ${mailServers.username} IS ${input.auth.username}${noDowngrade}`;
}

// The MAC goes with the ciphertext: kept, cleared or replaced with it.
const PASSWORD_COLUMNS = ['passwordCiphertext', 'passwordIv', 'passwordKeyId', 'passwordMac'] as const;

/** The password columns of the update: the new sealed one, none, or the stored one where it applies. */
function passwordColumns(change: PasswordChange, savedServer: SQL) {
  if (change.kind === 'set') {
    const { ciphertext, iv, keyId } = change.sealed;
    return { passwordCiphertext: ciphertext, passwordIv: iv, passwordKeyId: keyId, passwordMac: change.mac };
  }
  if (change.kind === 'clear')
    return { passwordCiphertext: null, passwordIv: null, passwordKeyId: null, passwordMac: null };
  return Object.fromEntries(
    PASSWORD_COLUMNS.map((name) => [name, sql`CASE WHEN ${savedServer} THEN ${mailServers[name]} END`]),
  ) as Record<(typeof PASSWORD_COLUMNS)[number], SQL>;
}

/**
 * SQLite checks the CHECK constraint on the row to insert before it sees the conflict, so a kept
 * password must already be in the inserted row: copied from the stored one.
 */
function keptPasswordForInsert(change: PasswordChange, tenant: TenantIdentity, savedServer: SQL) {
  if (change.kind !== 'keep') return {};
  const stored = (column: AnySQLiteColumn) =>
    sql`(select ${column} from ${mailServers} where ${mailServers.tenantId} = ${tenant.id} AND ${savedServer})`;
  return Object.fromEntries(PASSWORD_COLUMNS.map((name) => [name, stored(mailServers[name])]));
}

/**
 * The certificate the tenant confirmed (contract/rules/saved-server.ts pinnedCertificate, as SQL):
 * the one the save names, else the stored pin while host and port stay (a pin belongs to one server).
 */
function pinColumn(input: MailServerInput): SQL | string | null {
  if (!input.allowUntrustedCertificate) return null;
  if (input.trustedCertificateSha256 !== undefined) return input.trustedCertificateSha256;
  return sql`CASE WHEN lower(${mailServers.host}) = lower(${input.host}) AND ${mailServers.port} = ${input.port} THEN ${mailServers.tlsPinSha256} END`;
}

/** Every column a save sets, but the version; `lang` is the saving request's (the notice mail's language). */
function settingsColumns(
  tenant: TenantIdentity,
  input: MailServerInput,
  change: PasswordChange,
  lang: Lang,
  now: Date,
) {
  const usesAuth = input.auth.method !== 'none';
  const oauthProvider = input.auth.method === 'xoauth2' ? input.auth.provider : null;
  return {
    host: input.host,
    port: input.port,
    security: input.security,
    allowUntrustedCertificate: input.allowUntrustedCertificate,
    tlsPinSha256: pinColumn(input),
    authMethod: input.auth.method,
    oauthProvider,
    username: usesAuth ? input.auth.username : null,
    ...passwordColumns(change, savedServerCondition(input)),
    fromAddress: input.from.address,
    fromName: input.from.name,
    replyTo: input.replyTo,
    fallbackToSystem: input.fallbackToSystem ?? true,
    updatedAt: now,
    updatedBy: tenant.email,
    lang,
  };
}

/**
 * Writes the settings in one batch (tenant upsert + one conditional statement + the grants) and
 * returns the stored row, or no row when the expected version did not match (→ 412).
 * Throws CredentialsMissingError when authentication is chosen but no password would be stored
 * (none given, and none stored for this same server).
 */
export async function writeSettings(
  db: Database,
  tenant: TenantIdentity,
  input: MailServerInput,
  password: PasswordChange,
  expected: ExpectedVersion,
  lang: Lang,
  now: Date,
  webhooks: WebhookConfig | null = null,
): Promise<SettingsWithGrants> {
  // No password is kept for a server without authentication, or one signed in to with the provider.
  const usesPassword = input.auth.method !== 'none' && input.auth.method !== 'xoauth2';
  const change: PasswordChange = usesPassword ? password : { kind: 'clear' };
  const columns = settingsColumns(tenant, input, change, lang, now);
  const kept = keptPasswordForInsert(change, tenant, savedServerCondition(input));
  const insertPin = input.allowUntrustedCertificate ? (input.trustedCertificateSha256 ?? null) : null;
  const insertValues = { tenantId: tenant.id, ...columns, ...kept, tlsPinSha256: insertPin, version: now.getTime() };
  // Versions grow with the clock as well, so a configuration deleted and created again never
  // reuses an ETag that a stale client may still hold.
  // New settings get a new chance on the main queue (api/outbox/slow-lane.ts).
  const changed = {
    ...columns,
    // Not said: the saved choice stays (only a new configuration starts with the fallback on).
    ...(input.fallbackToSystem === undefined ? { fallbackToSystem: sql`${mailServers.fallbackToSystem}` } : {}),
    slowUntil: null,
    version: sql`max(${mailServers.version} + 1, ${now.getTime()})`,
  };
  const upsert = (setWhere?: SQL) =>
    db
      .insert(mailServers)
      .values(insertValues)
      .onConflictDoUpdate({ target: mailServers.tenantId, set: changed, ...(setWhere ? { setWhere } : {}) })
      .returning();
  const update = (where: SQL | undefined) => db.update(mailServers).set(changed).where(where).returning();
  // biome-ignore lint/suspicious/noImplicitAnyLet: drizzle's insert and update builders share no type; the batch takes either
  let write;
  if (expected.kind === 'any') write = upsert();
  else if (expected.kind === 'exists') write = update(eq(mailServers.tenantId, tenant.id));
  else {
    const { absent, stored } = splitExpected(expected);
    const storedMatches = inArray(mailServers.version, stored);
    // "0" allows creating; the other versions allow changing the row stored with one of them.
    if (absent && stored.length === 0)
      write = db.insert(mailServers).values(insertValues).onConflictDoNothing().returning();
    else if (absent) write = upsert(storedMatches);
    else write = update(and(eq(mailServers.tenantId, tenant.id), storedMatches));
  }
  try {
    // The event last: a select does not count as a change, so it follows the write's.
    const event = mailServerChangedEvent(db, webhooks, tenant.id, 'saved', now);
    const [, rows, grants, checks] = await db.batch([
      upsertTenant(db, tenant, now),
      write,
      grantsOf(db, tenant),
      checksOf(db, tenant.id),
      ...event,
    ]);
    return { row: rows[0], grants, checks };
  } catch (error) {
    if (isCredentialsCheckFailure(error)) throw new CredentialsMissingError();
    throw error;
  }
}

/**
 * The If-Match expectation as SQL over the stored row, evaluated before anything is deleted: the
 * grants go only with a reset that takes place (a refused one keeps them, even with nothing stored).
 */
function expectationHolds(db: Database, tenant: TenantIdentity, expected: ExpectedVersion): SQL | undefined {
  const ofTenant = eq(mailServers.tenantId, tenant.id);
  const stored = (where: SQL | undefined = ofTenant) => db.select({ one: sql`1` }).from(mailServers).where(where);
  if (expected.kind === 'any') return undefined;
  if (expected.kind === 'exists') return exists(stored());
  const versions = splitExpected(expected);
  return or(
    versions.stored.length > 0 ? exists(stored(and(ofTenant, inArray(mailServers.version, versions.stored)))) : sql`0`,
    versions.absent ? notExists(stored()) : sql`0`,
  );
}

/** What a reset removed: whether the If-Match expectation held, and the grants to revoke at their providers. */
export interface DeletedSettings {
  deleted: boolean;
  grants: OAuthGrantRow[];
}

/** Deletes the settings (and the sign-ins and checks) in one round trip; `deleted: false` when an If-Match version did not match. */
export async function deleteSettings(
  db: Database,
  tenant: TenantIdentity,
  expected: ExpectedVersion,
  webhooks: WebhookConfig | null = null,
  now = new Date(),
): Promise<DeletedSettings> {
  const ofTenant = eq(mailServers.tenantId, tenant.id);
  const versions = expected.kind === 'exact' ? splitExpected(expected) : null;
  const condition = versions ? and(ofTenant, inArray(mailServers.version, versions.stored)) : ofTenant;
  const [, grants, removed, remaining] = await db.batch([
    deleteChecks(db, tenant.id, expectationHolds(db, tenant, expected)),
    db
      .delete(oauthGrants)
      .where(and(eq(oauthGrants.tenantId, tenant.id), expectationHolds(db, tenant, expected)))
      .returning(),
    db.delete(mailServers).where(condition).returning({ tenantId: mailServers.tenantId }),
    db.select({ tenantId: mailServers.tenantId }).from(mailServers).where(ofTenant),
    ...mailServerChangedEvent(db, webhooks, tenant.id, 'reset', now),
  ]);
  if (!versions) return { deleted: expected.kind === 'any' || removed.length > 0, grants };
  // "Not configured" (version 0) is a precondition too: met when nothing is stored.
  const deleted = removed.length > 0 || (versions.absent && remaining.length === 0);
  return { deleted, grants };
}
