// RFC 1035 messages as RFC 8484 carries them, through dns-packet: the query, and the checks an
// answer passes before anything in it is believed.
import { Buffer } from 'node:buffer';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';
import type { DnsFailureReason, DnsRecordType } from './types.ts';

export interface WireFailure {
  reason: DnsFailureReason;
  detail: string;
}

/** An answer to our question: NOERROR or NXDOMAIN, its answer section, and the SOA's negative TTL. */
export interface Reply {
  nxdomain: boolean;
  answers: Answer[];
  /** RFC 2308: min(SOA TTL, SOA minimum) from the authority section, null without an SOA. */
  negativeTtl: number | null;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Lower-case without the trailing dot; null unless every label is ASCII letters, digits, `-` or `_` (A-labels for IDNs). */
export function normalizeName(name: string): string | null {
  const lower = name.toLowerCase().replace(/\.$/, '');
  if (lower.length === 0 || lower.length > 253) return null;
  return lower.split('.').every((label) => LABEL.test(label)) ? lower : null;
}

export function encodeQuery(id: number, name: string, type: DnsRecordType): Uint8Array {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
}

/** dns-packet decodes the RCODE but its types omit it. */
type Decoded = DecodedPacket & { rcode?: string };

function decode(bytes: Uint8Array): Decoded | WireFailure {
  try {
    return dnsPacket.decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) as Decoded;
  } catch (error) {
    return { reason: 'malformed', detail: `not a DNS message: ${error instanceof Error ? error.message : error}` };
  }
}

/** The message's question is exactly ours (id checked before). */
function mismatch(packet: Decoded, id: number, name: string, type: DnsRecordType): string | null {
  if (packet.id !== id) return `id ${packet.id} instead of ${id}`;
  const [question, ...more] = packet.questions ?? [];
  if (!question || more.length > 0) return `${packet.questions?.length ?? 0} questions instead of 1`;
  if (question.name.toLowerCase() !== name || question.type !== type) {
    return `question ${question.name} ${question.type} instead of ${name} ${type}`;
  }
  return null;
}

const RCODE_FAILURES: Record<string, DnsFailureReason> = { SERVFAIL: 'servfail', REFUSED: 'refused' };

function negativeTtl(authorities: Answer[] | undefined): number | null {
  const soa = authorities?.find((record) => record.type === 'SOA');
  return soa?.type === 'SOA' ? Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0) : null;
}

/** The decoded answer to our query, or why it is none. */
export function readReply(bytes: Uint8Array, id: number, name: string, type: DnsRecordType): Reply | WireFailure {
  const packet = decode(bytes);
  if ('reason' in packet) return packet;
  if (packet.type !== 'response') return { reason: 'malformed', detail: 'a query, not a response' };
  const wrong = mismatch(packet, id, name, type);
  if (wrong) return { reason: 'mismatch', detail: wrong };
  // Over HTTP the whole message fits; a truncated one is missing records.
  if (packet.flag_tc) return { reason: 'malformed', detail: 'truncated (TC set)' };
  const rcode = packet.rcode ?? 'NOERROR';
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') {
    return { reason: RCODE_FAILURES[rcode] ?? 'rcode', detail: `RCODE ${rcode}` };
  }
  return {
    nxdomain: rcode === 'NXDOMAIN',
    answers: packet.answers ?? [],
    negativeTtl: negativeTtl(packet.authorities),
  };
}
