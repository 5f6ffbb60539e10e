import { describe, expect, test } from 'vitest';
import {
  isSavedServer,
  pinnedCertificate,
  type SavedServer,
  type ServerSettings,
  storedPasswordRefusal,
} from '../../contract/rules/saved-server.ts';

const saved: SavedServer = {
  host: 'Smtp.Firma.Example',
  port: 587,
  username: 'rechnung@firma.example',
  security: 'starttls',
  authMethod: 'plain',
  allowUntrustedCertificate: false,
  tlsPinSha256: null,
};
const settings: ServerSettings = {
  host: 'smtp.firma.example',
  port: 587,
  security: 'starttls',
  allowUntrustedCertificate: false,
  auth: { method: 'plain', username: 'rechnung@firma.example' },
};
const cram: SavedServer = { ...saved, security: 'none', authMethod: 'cram-md5' };

describe('isSavedServer: the stored password applies', () => {
  test.each<[string, SavedServer, ServerSettings, boolean]>([
    ['the same server, host in another ASCII case', saved, settings, true],
    ['another host', saved, { ...settings, host: 'smtp.firma.example.evil.example' }, false],
    ['another port', saved, { ...settings, port: 465 }, false],
    [
      'another user name (case counts)',
      saved,
      { ...settings, auth: { method: 'plain', username: 'Rechnung@firma.example' } },
      false,
    ],
    ['no user name', saved, { ...settings, auth: { method: 'plain', username: null } }, false],
    ['another encrypted mode', saved, { ...settings, security: 'tls' }, true],
    ['encryption switched off', saved, { ...settings, security: 'none' }, false],
    [
      'saved without encryption, still without',
      { ...saved, security: 'none' },
      { ...settings, security: 'none' },
      true,
    ],
    ['saved without encryption, now with', { ...saved, security: 'none' }, settings, true],
    [
      'CRAM-MD5 in clear, still CRAM-MD5',
      cram,
      { ...settings, security: 'none', auth: { method: 'cram-md5', username: saved.username } },
      true,
    ],
    ['CRAM-MD5 in clear, now PLAIN in clear', cram, { ...settings, security: 'none' }, false],
    [
      'CRAM-MD5 in clear, now LOGIN in clear',
      cram,
      { ...settings, security: 'none', auth: { method: 'login', username: saved.username } },
      false,
    ],
    [
      'CRAM-MD5 in clear, now LOGIN over STARTTLS',
      cram,
      { ...settings, auth: { method: 'login', username: saved.username } },
      true,
    ],
    [
      'Ü is not ü (A–Z folded only)',
      { ...saved, host: 'smtp.MÜLLER.example' },
      { ...settings, host: 'smtp.müller.example' },
      false,
    ],
    [
      'ASCII letters folded around ü',
      { ...saved, host: 'smtp.MüLLER.example' },
      { ...settings, host: 'SMTP.müller.EXAMPLE' },
      true,
    ],
    ['certificate check switched off', saved, { ...settings, allowUntrustedCertificate: true }, false],
    [
      'certificate check was off already',
      { ...saved, allowUntrustedCertificate: true },
      { ...settings, allowUntrustedCertificate: true },
      true,
    ],
  ])('%s → %s', (_, stored, draft, expected) => {
    expect(isSavedServer(stored, draft)).toBe(expected);
  });
});

describe('the pin: the stored password goes to the confirmed certificate only', () => {
  const PIN = 'AB'.repeat(32);
  const trusting: SavedServer = { ...saved, allowUntrustedCertificate: true, tlsPinSha256: PIN };
  const trust = (extra: Partial<ServerSettings> = {}): ServerSettings => ({
    ...settings,
    allowUntrustedCertificate: true,
    ...extra,
  });

  test.each<[string, SavedServer, ServerSettings, ReturnType<typeof storedPasswordRefusal>]>([
    [
      'the pin named again, with colons and in lower case',
      trusting,
      trust({ trustedCertificateSha256: PIN.toLowerCase().match(/../g)!.join(':') }),
      null,
    ],
    ['no fingerprint named: the saved pin stays', trusting, trust(), null],
    [
      'another certificate',
      trusting,
      trust({ trustedCertificateSha256: 'CD'.repeat(32) }),
      'password_required_for_new_certificate',
    ],
    ['the pin dropped', trusting, trust({ trustedCertificateSha256: null }), 'password_required_for_new_certificate'],
    [
      'a first pin (none was confirmed)',
      { ...trusting, tlsPinSha256: null },
      trust({ trustedCertificateSha256: PIN }),
      'password_required_for_new_certificate',
    ],
    [
      'trust turned off: the CA decides, no pin applies',
      trusting,
      { ...settings, trustedCertificateSha256: 'CD'.repeat(32) },
      null,
    ],
    [
      'another server with the pin',
      trusting,
      trust({ port: 465, trustedCertificateSha256: PIN }),
      'password_required_for_new_server',
    ],
  ])('%s', (_, stored, draft, refusal) => {
    expect(storedPasswordRefusal(stored, draft)).toBe(refusal);
  });

  test('the pin of settings: the one named, else the saved one of the same host and port, none without trust', () => {
    expect(pinnedCertificate(trusting, trust({ trustedCertificateSha256: 'cd'.repeat(32) }))).toBe('CD'.repeat(32));
    expect(pinnedCertificate(trusting, trust({ host: 'SMTP.firma.example' }))).toBe(PIN);
    expect(pinnedCertificate(trusting, trust({ port: 465 }))).toBeNull();
    expect(pinnedCertificate(undefined, trust())).toBeNull();
    expect(pinnedCertificate(trusting, settings)).toBeNull();
  });
});
