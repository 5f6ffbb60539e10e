import { describe, expect, test } from 'vitest';
import type { Capabilities, MailServerResponse, MailServerSettings } from '../../contract/index.ts';
import {
  type Draft,
  draftFrom,
  EMPTY_DRAFT,
  fieldForPath,
  passwordStored,
  problemErrors,
  toInput,
  withChange,
} from '../../components/mail-server-settings/draft.ts';

const capabilities: Capabilities = {
  runtime: 'node',
  allowUntrustedCertificate: true,
  blockedPorts: [25],
  oauthProviders: [],
};
const settings: MailServerSettings = {
  host: 'Smtp.Firma.Example',
  port: 587,
  security: 'starttls',
  allowUntrustedCertificate: false,
  auth: { method: 'plain', username: 'rechnung@firma.example', passwordSet: true },
  from: { address: null, name: 'Firma' },
  replyTo: null,
  fallbackToSystem: true,
  trustedCertificateSha256: null,
};
const response = (s: MailServerSettings | null, caps: Capabilities = capabilities): MailServerResponse => ({
  configured: !!s,
  settings: s,
  version: 3,
  updatedAt: null,
  effective: { route: 'tenant', from: { address: 'a@b.example', name: 'A' }, replyTo: 'a@b.example' },
  capabilities: caps,
  warnings: [],
  oauthConnections: [],
  lastCheck: null,
});
const saved = draftFrom(response(settings));

describe('draftFrom: saved settings as the form holds them', () => {
  test('strings for the inputs, empty strings for nulls, never a password', () => {
    expect(saved).toEqual({
      host: 'Smtp.Firma.Example',
      port: '587',
      security: 'starttls',
      allowUntrustedCertificate: false,
      trustedCertificateSha256: '',
      authMethod: 'plain',
      username: 'rechnung@firma.example',
      password: '',
      fromAddress: '',
      fromName: 'Firma',
      replyTo: '',
      fallbackToSystem: true,
    });
  });

  test.each<[string, string | null, string]>([
    ['a user name of its own', 'invoices@firma.example', 'invoices@firma.example'],
    ['the signed-in account: empty, so it follows the account', 'anna@firma.example', ''],
    ['none', null, ''],
  ])('a sign-in with the provider as the choice; its user name: %s', (_, username, shown) => {
    const auth = {
      method: 'xoauth2',
      provider: 'google',
      username,
      connected: true,
      account: 'anna@firma.example',
      connectedAt: '2026-12-07T08:00:00Z',
    } as const;
    expect(draftFrom(response({ ...settings, auth }))).toMatchObject({
      authMethod: 'google',
      username: shown,
      password: '',
    });
  });

  test('nothing saved: the empty draft (SSL/TLS on 465), a copy of it', () => {
    const draft = draftFrom(response(null));
    expect(draft).toEqual(EMPTY_DRAFT);
    expect(draft).not.toBe(EMPTY_DRAFT);
    expect(draft.port).toBe('465');
  });
});

describe('withChange: the port follows the encryption until edited', () => {
  test.each<[string, Draft['security'], boolean, string]>([
    ['STARTTLS, port not edited', 'starttls', false, '587'],
    ['no encryption, port not edited', 'none', false, '587'],
    ['SSL/TLS, port not edited', 'tls', false, '465'],
    ['STARTTLS, port edited', 'starttls', true, '2525'],
  ])('%s', (_, security, portEdited, port) => {
    const draft = withChange({ ...EMPTY_DRAFT, port: '2525' }, 'security', security, portEdited);
    expect(draft).toMatchObject({ security, port });
  });

  test.each([
    ['microsoft', { host: 'smtp.office365.com', port: '587', security: 'starttls' }],
    ['google', { host: 'smtp.gmail.com', port: '465', security: 'tls' }],
  ] as const)("choosing %s's sign-in fills in its submission server, also over an edited port", (provider, server) => {
    const draft = withChange({ ...saved, port: '2525', username: 'u' }, 'authMethod', provider, true);
    expect(draft).toEqual({ ...saved, ...server, authMethod: provider, username: 'u' });
  });

  test('choosing a password method keeps the server', () => {
    const google = withChange(saved, 'authMethod', 'google', false);
    expect(withChange(google, 'authMethod', 'login', false)).toEqual({ ...google, authMethod: 'login' });
  });

  test('another field changes only itself', () => {
    expect(withChange(EMPTY_DRAFT, 'fallbackToSystem', true, false)).toEqual({
      ...EMPTY_DRAFT,
      fallbackToSystem: true,
    });
  });
});

describe('toInput: the API input for a draft', () => {
  test('trimmed values, empty optional fields as null, no password key when none is entered (keep it)', () => {
    const draft: Draft = {
      ...saved,
      host: ' smtp.firma.example ',
      username: ' u ',
      fromName: '  ',
      replyTo: ' r@x.example ',
    };
    expect(toInput(draft, capabilities)).toEqual({
      host: 'smtp.firma.example',
      port: 587,
      security: 'starttls',
      allowUntrustedCertificate: false,
      auth: { method: 'plain', username: 'u' },
      from: { address: null, name: null },
      replyTo: 'r@x.example',
      fallbackToSystem: true,
      trustedCertificateSha256: null,
    });
  });

  test('an entered password is sent as typed; no authentication clears user name and password', () => {
    expect(toInput({ ...saved, password: ' p ' }, capabilities).auth).toEqual({
      method: 'plain',
      username: 'rechnung@firma.example',
      password: ' p ',
    });
    expect(toInput({ ...saved, authMethod: 'none' }, capabilities).auth).toEqual({
      method: 'none',
      username: null,
      password: null,
    });
  });

  test('a sign-in sends the provider and the user name, none (the signed-in account) when empty, never a password', () => {
    const microsoft: Draft = { ...saved, authMethod: 'microsoft', password: 'left over' };
    expect(toInput({ ...microsoft, username: ' invoices@firma.example ' }, capabilities).auth).toEqual({
      method: 'xoauth2',
      provider: 'microsoft',
      username: 'invoices@firma.example',
    });
    expect(toInput({ ...microsoft, username: '  ' }, capabilities).auth).toEqual({
      method: 'xoauth2',
      provider: 'microsoft',
      username: null,
    });
  });

  test.each<[string, Draft['security'], boolean, boolean]>([
    ['offered, encrypted', 'starttls', true, true],
    ['offered, without encryption', 'none', true, false],
    ['not offered by the API', 'tls', false, false],
  ])('"always trust the certificate" only where it can apply: %s', (_, security, offered, sent) => {
    const caps = { ...capabilities, allowUntrustedCertificate: offered };
    expect(toInput({ ...saved, security, allowUntrustedCertificate: true }, caps).allowUntrustedCertificate).toBe(sent);
  });
});

describe('passwordStored: the stored password applies to the draft', () => {
  test.each<[string, Partial<Draft>, boolean]>([
    ['the saved server, host in another ASCII case', { host: 'smtp.firma.example' }, true],
    ['host with spaces around it', { host: ' SMTP.FIRMA.EXAMPLE ' }, true],
    ['another port', { port: '465' }, false],
    ['another user name', { username: 'else@firma.example' }, false],
    ['encryption switched off', { security: 'none' }, false],
    ['switched to signing in with Microsoft', { authMethod: 'microsoft' }, false],
    ['"always trust the certificate" switched on', { allowUntrustedCertificate: true }, false],
  ])('%s', (_, change, applies) => {
    expect(passwordStored(response(settings), { ...saved, ...change })).toBe(applies);
  });

  test('with "always trust": only while the draft trusts the certificate the password was saved for', () => {
    const pin = 'AB'.repeat(32);
    const trusting = response({ ...settings, allowUntrustedCertificate: true, trustedCertificateSha256: pin });
    const draft = draftFrom(trusting);
    expect(draft.trustedCertificateSha256).toBe(pin);
    expect(passwordStored(trusting, draft)).toBe(true);
    expect(passwordStored(trusting, { ...draft, trustedCertificateSha256: 'CD'.repeat(32) })).toBe(false);
    expect(passwordStored(trusting, { ...draft, trustedCertificateSha256: '' })).toBe(false);
  });

  test('never without a stored password, or without saved settings', () => {
    const noPassword = { ...settings, auth: { ...settings.auth, passwordSet: false } };
    expect(passwordStored(response(noPassword), saved)).toBe(false);
    expect(passwordStored(response(null), saved)).toBe(false);
    expect(passwordStored(null, saved)).toBe(false);
  });
});

describe('fieldForPath: the field an API error names', () => {
  test.each([
    ['auth.password', 'password'],
    ['auth', 'authMethod'],
    ['from.address', 'fromAddress'],
    ['auth.provider', 'authMethod'],
    ['provider', 'authMethod'],
    ['host', 'host'],
    ['replyTo', 'replyTo'],
    ['trustedCertificateSha256', 'allowUntrustedCertificate'],
    ['from', undefined],
    ['unknown', undefined],
  ])('%s → %s', (path, field) => {
    expect(fieldForPath(path)).toBe(field);
  });
});

describe("problemErrors: a problem's field errors for the form", () => {
  test('the first error of each field at its field, the others as lines', () => {
    expect(
      problemErrors([
        { path: 'auth.password', message: 'first' },
        { path: 'auth.password', message: 'second' },
        { path: 'from', message: 'no field' },
        { path: 'host', message: 'bad host' },
      ]),
    ).toEqual({ fieldErrors: { password: 'first', host: 'bad host' }, details: ['from: no field'] });
  });
});
