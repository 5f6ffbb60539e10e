import { describe, expect, test } from 'vitest';
import { type Draft, EMPTY_DRAFT } from '../../components/mail-server-settings/draft.ts';
import en from '../../components/mail-server-settings/translations/en.ts';
import { clientErrors, type ValidationContext } from '../../components/mail-server-settings/validate.ts';

const valid: Draft = {
  ...EMPTY_DRAFT,
  host: 'smtp.firma.example',
  username: 'rechnung@firma.example',
  password: 'pa55word',
};
const context: ValidationContext = { blockedPorts: [25], passwordStored: false };
const errorsOf = (change: Partial<Draft>, ctx: Partial<ValidationContext> = {}) =>
  clientErrors({ ...valid, ...change }, { ...context, ...ctx }, en.errors);

describe('clientErrors: the form’s own checks', () => {
  test('a valid draft has none', () => {
    expect(errorsOf({})).toEqual({});
  });

  test.each<[string, Partial<Draft>, Partial<Record<keyof Draft, string>>]>([
    ['no host', { host: '  ' }, { host: en.errors.required }],
    ['a host with a port', { host: 'smtp.firma.example:587' }, { host: en.errors.host_invalid }],
    ['an IDN host', { host: 'smtp.müller.example' }, {}],
    ['an IPv6 literal', { host: '[::1]' }, {}],
    ['port 0', { port: '0' }, { port: en.errors.port_range }],
    ['port 65536', { port: '65536' }, { port: en.errors.port_range }],
    ['a port with a fraction', { port: '58.7' }, { port: en.errors.port_range }],
    ['port 25, blocked here', { port: '25' }, { port: en.errors.port_blocked(25) }],
    ['no user name', { username: ' ' }, { username: en.errors.username_required }],
    ['no password', { password: '' }, { password: en.errors.password_required }],
    ['a line break in the sender name', { fromName: 'A\nB' }, { fromName: en.errors.control_chars }],
    [
      'a control character in the host: that error first',
      { host: 'smtp\u0007.example' },
      { host: en.errors.control_chars },
    ],
    ['a sender address without domain', { fromAddress: 'billing@' }, { fromAddress: en.errors.email_invalid }],
    ['a Reply-To at an IP address', { replyTo: 'billing@127.0.0.1' }, { replyTo: en.errors.email_invalid }],
    [
      'no authentication: user name and password are not needed',
      { authMethod: 'none', username: '', password: '' },
      {},
    ],
  ])('%s', (_, change, errors) => {
    expect(errorsOf(change)).toEqual(errors);
  });

  test.each(['microsoft', 'google'] as const)('signing in with %s needs neither user name nor password', (provider) => {
    expect(errorsOf({ authMethod: provider, username: '', password: '' })).toEqual({});
    expect(errorsOf({ authMethod: provider, username: 'a\u0000b' })).toEqual({ username: en.errors.control_chars });
    expect(errorsOf({ authMethod: provider, host: '' })).toEqual({ host: en.errors.required });
    expect(errorsOf({ authMethod: provider, security: 'none' })).toEqual({ security: en.errors.oauth_needs_tls });
  });

  test('no password needed while the stored one applies', () => {
    expect(errorsOf({ password: '' }, { passwordStored: true })).toEqual({});
  });

  test('the messages come from the table given', () => {
    const de = { ...en.errors, required: 'Bitte füllen Sie dieses Feld aus.' };
    expect(clientErrors({ ...valid, host: '' }, context, de)).toEqual({ host: 'Bitte füllen Sie dieses Feld aus.' });
  });
});
