import { asciiDomain, domainOf } from './address.ts';

/** The random left part of a Message-ID: 32 hex digits. */
export function messageIdRandom(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `<random@sender-domain>`, the Message-ID a message gets unless it brings one. */
export function makeMessageId(senderAddress: string, random = messageIdRandom()): string {
  return `<${random}@${asciiDomain(domainOf(senderAddress)) ?? 'localhost'}>`;
}
