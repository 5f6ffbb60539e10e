// The records an answer section holds for a name, following its CNAMEs as resolvers return them.
import type { Answer } from 'dns-packet';
import type { DnsRecords, DnsRecordType } from './types.ts';

const textDecoder = new TextDecoder();

/** A TXT record's character-strings as one string (RFC 7208 3.3, RFC 7489 6.6.3 join them). */
function txt(data: unknown): string {
  const parts = (Array.isArray(data) ? data : [data]).map((part) =>
    typeof part === 'string' ? new TextEncoder().encode(part) : (part as Uint8Array),
  );
  const joined = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return textDecoder.decode(joined);
}

/** One record's data in our shape, or null when the record is not of the type asked for. */
function recordData<T extends DnsRecordType>(record: Answer, type: T): DnsRecords[T] | null {
  if (record.type !== type) return null;
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return record.data as DnsRecords[T];
    case 'CNAME':
      return record.data.toLowerCase() as DnsRecords[T];
    case 'TXT':
      return txt(record.data) as DnsRecords[T];
    case 'MX':
      return { exchange: record.data.exchange.toLowerCase(), priority: record.data.preference } as DnsRecords[T];
    case 'SRV': {
      const { target, port, priority = 0, weight = 0 } = record.data;
      return { target: target.toLowerCase(), port, priority, weight } as DnsRecords[T];
    }
    default:
      return null;
  }
}

/** An OPT pseudo-record has no TTL; every record of an answer section has one. */
const ttlOf = (record: Answer) => ('ttl' in record ? (record.ttl ?? 0) : 0);

export interface ChainResult<T extends DnsRecordType> {
  records: DnsRecords[T][];
  /** The smallest TTL of the records and CNAMEs used; null when none was used. */
  ttl: number | null;
  /** Where the CNAME chain ends without records in this answer (to be asked for next); null otherwise. */
  next: string | null;
  /** The chain loops within the answer. */
  loop: boolean;
}

/** The records of `type` at `name` or at the end of its CNAME chain within `answers` (a CNAME query: the CNAME itself). */
export function chainRecords<T extends DnsRecordType>(answers: Answer[], name: string, type: T): ChainResult<T> {
  let current = name;
  let ttl: number | null = null;
  const seen = new Set([name]);
  const at = (owner: string) => answers.filter((record) => record.name.toLowerCase() === owner);
  for (;;) {
    const here = at(current);
    const records = here.map((record) => recordData(record, type)).filter((data) => data !== null);
    if (records.length > 0) {
      for (const record of here) if (record.type === type) ttl = Math.min(ttl ?? Infinity, ttlOf(record));
      return { records, ttl, next: null, loop: false };
    }
    const cname = here.find((record) => record.type === 'CNAME');
    if (cname?.type !== 'CNAME') return { records: [], ttl, next: current === name ? null : current, loop: false };
    ttl = Math.min(ttl ?? Infinity, ttlOf(cname));
    current = cname.data.toLowerCase();
    if (seen.has(current)) return { records: [], ttl, next: null, loop: true };
    seen.add(current);
  }
}
