// The Worker judges A-labels as Node does (test/unit/punycode.test.ts): workerd's URL parser passes
// an invalid one like `xn--zz` through, so the rule decodes it itself.
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../contract/index.ts';
import { isEmailAddress, isHost } from '../../contract/rules/host.ts';
import { clientFor, validSettings } from './helpers.ts';

const invalid = ['xn--zz.example.com', 'smtp.xn--abc.example', 'xn--a.example.com', 'xn--mller-kva1.example.com'];
const valid = [
  'xn--mller-kva.example.com',
  'smtp.xn--bcher-kva.example',
  'xn--ls8h.example.com',
  'smtp.müller.example',
];

describe('A-labels in workerd', () => {
  it('refuses invalid Punycode and takes real A-labels, in host names and e-mail domains', () => {
    for (const host of invalid) {
      expect(isHost(host), host).toBe(false);
      expect(isEmailAddress(`rechnung@${host}`), host).toBe(false);
    }
    for (const host of valid) {
      expect(isHost(host), host).toBe(true);
      expect(isEmailAddress(`rechnung@${host}`), host).toBe(true);
    }
  });

  it('PUT /v1/mail-server with host xn--zz.example.com is a 422 on the host field', async () => {
    const api = await clientFor();
    const res = await api.put('/v1/mail-server', { ...validSettings, host: 'xn--zz.example.com' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as Problem).errors?.map((e) => e.path)).toEqual(['host']);
  });
});
