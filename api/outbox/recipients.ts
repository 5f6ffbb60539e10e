// Which of a message's recipients a server accepted. Nodemailer reports them as it wrote them
// into RCPT TO: domains lower-cased and punycoded (`Kunde@Müller.Example` → `Kunde@xn--mller-kva.example`).
// The outbox keeps the addresses as the operator gave them, so both sides are compared by key.

import { asciiDomain, domainOf } from '../smtp/address.ts';
import type { RejectedRecipient } from '../smtp/types.ts';

/** The comparison key of an address: local part as is (it may be case-sensitive), domain as lower-case A-label. */
export function recipientKey(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address.trim();
  const domain = domainOf(address).trim();
  // A domain literal ([192.0.2.1]) or anything URL cannot read is compared lower-cased.
  const ascii = (domain.startsWith('[') ? null : asciiDomain(domain)) ?? domain.toLowerCase();
  return `${address.slice(0, at).trim()}@${ascii}`;
}

export interface RecipientSplit {
  /** Original addresses the server accepted now. */
  accepted: string[];
  /** Original addresses it refused, with the reply for each. */
  rejected: RejectedRecipient[];
}

/** Maps a server's accepted/refused lists back to the original addresses of the message. */
export function splitRecipients(
  originals: string[],
  accepted: string[],
  rejected: RejectedRecipient[],
): RecipientSplit {
  const byKey = new Map(originals.map((a) => [recipientKey(a), a]));
  const original = (a: string) => byKey.get(recipientKey(a)) ?? a;
  return {
    accepted: accepted.map(original),
    rejected: rejected.map((r) => ({ ...r, recipient: original(r.recipient) })),
  };
}

/** The recipients of a list that are not yet done (by key). */
export function pendingRecipients(list: string[], done: readonly string[]): string[] {
  const doneKeys = new Set(done.map(recipientKey));
  return list.filter((a) => !doneKeys.has(recipientKey(a)));
}
