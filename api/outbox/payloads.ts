import type { Database } from '../db/database.ts';
import { chunkSizes, readPayloads, type StoredPayload } from './chunks.ts';

/**
 * Stored payload text held in memory by one batch at a time. A batch may hold 100 invoices of up
 * to 10 MiB each (base64 in JSON: about 13 MiB stored); all at once would not fit a Worker's 128 MB.
 */
export const PAYLOAD_LOAD_BYTES = 16 * 1024 * 1024;

/**
 * The payloads of one batch, read when a row's turn comes, together with the next rows of the
 * same group (a tenant's rows, in sending order) up to the budget. The budget is shared: a read
 * waits until rows done have let go of enough (one row larger than the budget is read alone).
 * Rows are taken in order, so what a waiting read waits for is always being sent already.
 */
export class PayloadLoader {
  private readonly loaded = new Map<string, Promise<StoredPayload | undefined>>();
  /** Rows whose payload has been read (their `get` settles at once). */
  private readonly ready = new Set<string>();
  private readonly released = new Set<string>();
  /** Bytes of the rows read (or being read) and not let go yet. */
  private held = 0;
  private readonly holding = new Map<string, number>();
  private waiting: (() => void)[] = [];

  /** Use `open`; tests give sizes and a reader of their own. `groups` = the rows in sending order, per tenant. */
  constructor(
    private readonly db: Database,
    private readonly groups: string[][],
    private readonly sizes: Map<string, number>,
    private readonly budget: number,
    private readonly read: typeof readPayloads,
  ) {}

  static async open(db: Database, groups: string[][], budget = PAYLOAD_LOAD_BYTES): Promise<PayloadLoader> {
    const chunks = await chunkSizes(db, groups.flat());
    const sizes = new Map<string, number>();
    for (const chunk of chunks) sizes.set(chunk.deliveryId, (sizes.get(chunk.deliveryId) ?? 0) + chunk.size);
    // The reads page by the chunk sizes read here, instead of asking for them again.
    return new PayloadLoader(db, groups, sizes, budget, (d, ids) => readPayloads(d, ids, chunks));
  }

  /** The row's payload (undefined when none is stored); reads it and the next ones when needed. */
  get(id: string): Promise<StoredPayload | undefined> {
    return this.loaded.get(id) ?? this.load(id);
  }

  /** Whether the row's payload has been read already: `get` would not wait for the database or the budget. */
  isReady(id: string): boolean {
    return this.ready.has(id);
  }

  /** The row is done (or will not be sent): its payload is let go. */
  release(id: string): void {
    this.loaded.delete(id);
    this.ready.delete(id);
    this.released.add(id);
    this.unhold(id);
  }

  private unhold(id: string): void {
    const bytes = this.holding.get(id);
    if (bytes === undefined) return;
    this.holding.delete(id);
    this.held -= bytes;
    const wake = this.waiting;
    this.waiting = [];
    for (const resume of wake) resume();
  }

  private async load(id: string): Promise<StoredPayload | undefined> {
    const group = this.groups.find((g) => g.includes(id)) ?? [id];
    const members: string[] = [];
    let bytes = 0;
    for (let i = Math.max(0, group.indexOf(id)); i < group.length; i++) {
      const next = group[i]!;
      if (next !== id && this.released.has(next)) continue; // let go: it will not be sent
      // Read ahead only up to a row another read already has: rows are read in sending order, so a
      // waiting read never needs budget that rows behind it hold (which could then never be freed).
      if (next !== id && this.loaded.has(next)) break;
      const size = this.sizes.get(next) ?? 0;
      if (members.length > 0 && bytes + size > this.budget) break;
      members.push(next);
      bytes += size;
    }
    // Claim the members at once, so no other slot reads them too; the read itself waits its turn.
    let admit!: () => void;
    const admitted = new Promise<void>((resolve) => (admit = resolve));
    const reading = admitted.then(() => this.read(this.db, members));
    for (const member of members) {
      // Each row takes its payload out of the page, so a page is freed as its rows are done.
      const own = reading.then((page) => {
        const payload = page.get(member);
        page.delete(member);
        return payload;
      });
      own.then(
        () => {
          if (this.loaded.get(member) === own) this.ready.add(member);
        },
        () => {}, // reported to the row that asked; the others read again when they ask
      );
      this.loaded.set(member, own);
    }
    const mine = this.loaded.get(id)!;
    reading.catch(() => {
      for (const member of members) {
        this.loaded.delete(member);
        this.unhold(member);
      }
    });
    while (this.held > 0 && this.held + bytes > this.budget)
      await new Promise<void>((resume) => this.waiting.push(resume));
    for (const member of members) {
      if (this.released.has(member)) continue; // let go while waiting (a row that will not be sent)
      const size = this.sizes.get(member) ?? 0;
      this.holding.set(member, size);
      this.held += size;
    }
    admit();
    return mine;
  }
}
