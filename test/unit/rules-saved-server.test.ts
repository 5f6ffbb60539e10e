import { describe, expect, test } from 'vitest';
import { isSavedServer, type SavedServer, type ServerSettings } from '../../contract/rules/saved-server.ts';

const saved: SavedServer = {
  host: 'Smtp.Firma.Example',
  port: 587,
  username: 'rechnung@firma.example',
  security: 'starttls',
  authMethod: 'plain',
  allowUntrustedCertificate: false,
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
