// mailauth's DMARC record helpers ship without types; only what the domain check uses.
declare module 'mailauth/lib/dmarc/get-dmarc-record.js' {
  type Resolve = (name: string, rrtype: string) => Promise<unknown[]>;
  interface DmarcRecord {
    v: string;
    p?: string;
    sp?: string;
    rr: string;
  }
  interface GetDmarcRecord {
    /** `name` → the one valid record at `_dmarc.<name>`, or false; rejects on DNS errors other than NXDOMAIN/NODATA. */
    createRecordLookup(resolver: Resolve): (name: string) => Promise<DmarcRecord | false>;
    /** The policy tags a record applies with (RFC 9989 4.10.1); null: no DMARC processing. */
    getPolicyTags(
      record: DmarcRecord,
    ): { p: 'none' | 'quarantine' | 'reject'; sp?: 'none' | 'quarantine' | 'reject' } | null;
  }
  const getDmarcRecord: GetDmarcRecord;
  export default getDmarcRecord;
}
