// A-labels (`xn--…`) are judged by decoding them (RFC 3492), not by the URL parser, which passes
// invalid ones through on Node as in workerd.
import { domainToUnicode } from 'node:url';
import { describe, expect, test } from 'vitest';
import { isHost } from '../../contract/rules/host.ts';
import { decodePunycode } from '../../contract/rules/punycode.ts';

describe('decodePunycode', () => {
  test.each([
    // RFC 3492, 7.1 (A), (B), (L), (S)
    ['egbpdaj6bu4bxfgehfvwxn', 'ليهمابتكلموشعربي؟'],
    ['ihqwcrb4cv8a8dqg056pqjye', '他们为什么不说中文'],
    ['3b-ww4c5e180e575a65lsy2b', '3年b組金八先生'],
    ['-> $1.00 <--', '-> $1.00 <-'],
    ['mller-kva', 'müller'],
    ['ls8h', '💩'],
    ['zz', null], // ends inside a number
    ['a', '\u0080'], // decodes, to a control character no host name holds
    ['99999999999a', null], // past the last code point
    ['abc-a$', null], // not a Punycode digit
  ])('%s', (input, decoded) => {
    expect(decodePunycode(input)).toBe(decoded);
  });
});

describe('A-labels in host names', () => {
  test('xn--zz.example.com is not a host', () => {
    expect(isHost('xn--zz.example.com')).toBe(false);
  });

  test("agree with Node's IDNA decoder on every label of up to three characters and on real ones", () => {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789-';
    const labels: string[] = ['mller-kva', 'bcher-kva', 'fiqs8s', 'p1ai', '80ak6aa92e', 'mnchen-3ya', 'strae-oqa'];
    for (const a of chars) for (const b of chars) for (const c of ['', ...chars]) labels.push(a + b + c);
    const differ = labels.filter((label) => {
      const host = `xn--${label}.example.com`;
      const nodeDecodes = !/^-|-$/.test(label) && domainToUnicode(host) !== host && domainToUnicode(host) !== '';
      return isHost(host) !== nodeDecodes;
    });
    expect(differ).toEqual([]);
  });
});
