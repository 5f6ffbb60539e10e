import { describe, expect, test } from 'vitest';
import { isEmailAddress, isHost, toAsciiDomain } from '../../contract/rules/host.ts';

describe('isHost', () => {
  test.each([
    ['smtp.example.com', true],
    ['localhost', true],
    ['localhost.', true],
    ['smtp.müller.example', true],
    ['smtp。example。com', true], // an ideographic full stop is a dot to DNS
    ['127.0.0.1', true],
    ['::1', true],
    ['[2001:db8::1]', true],
    ['', false],
    ['example', false],
    ['abc.de:587', false], // host and port together
    ['dead.beef:25', false], // hex-only letters are not IPv6
    ['[::1', false],
    ['::1]', false],
    ['1.2.3', false], // an all-numeric TLD is an IPv4 typo
    ['256.1.1.1', false],
    ['-smtp.example.com', false],
    ['smtp example.com', false],
    ['user@smtp.example.com', false],
  ])('%s → %s', (value, expected) => {
    expect(isHost(value)).toBe(expected);
  });
});

describe('isEmailAddress', () => {
  test.each([
    ['billing@example.com', true],
    ['first.last+tag@example.com', true],
    ['info@müller.example', true],
    ['', false],
    ['not an address', false],
    ['@example.com', false],
    ['user@localhost', false], // the domain needs a dot
    ['user@127.0.0.1', false], // an IP literal is no mail domain here
    ['first..last@example.com', false],
    [`${'a'.repeat(65)}@example.com`, false],
    [`a@${'b'.repeat(250)}.com`, false],
  ])('%s → %s', (value, expected) => {
    expect(isEmailAddress(value)).toBe(expected);
  });
});

describe('toAsciiDomain', () => {
  test.each([
    ['Smtp.Müller.Example', 'smtp.xn--mller-kva.example'],
    ['example.com.', 'example.com'],
    ['exa mple.com', null],
    ['example.123', null],
  ])('%s → %s', (value, expected) => {
    expect(toAsciiDomain(value)).toBe(expected);
  });
});
