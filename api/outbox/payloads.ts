import type { Database } from '../env.ts';
import { payloadSizes, readPayloads, type StoredPayload } from './store.ts';

/**
 * Stored payload text held in memory per load. A batch may hold 100 invoices of up to 10 MiB
 * each (base64 in JSON: about 13 MiB stored); all at once would not fit a Worker's 128 MB.
 */
export const PAYLOAD_LOAD_BYTES = 16 * 1024 * 1024;

/**
 * The payloads of one batch, loaded when a row's turn comes, together with the rows after it
 * (in the order given) up to about `budget` bytes, and let go once the row's attempt has ended.
 */
export class PayloadLoader {
  private readonly loaded = new Map<string, Promise<StoredPayload | undefined>>();
  private readonly released = new Set<string>();

  /** Use `open`; tests give sizes and a reader of their own. */
  constructor(
    private readonly db: Database,
    private readonly order: string[],
    private readonly sizes: Map<string, number>,
    private readonly budget: number,
    private readonly read: typeof readPayloads,
  ) {}

  /** `order` = the order in which the rows will be sent (each tenant's rows together). */
  static async open(db: Database, order: string[], budget = PAYLOAD_LOAD_BYTES, read = readPayloads): Promise<PayloadLoader> {
    return new PayloadLoader(db, order, await payloadSizes(db, order), budget, read);
  }

  /** The row's payload (undefined when none is stored); loads it and the next ones if needed. */
  get(id: string): Promise<StoredPayload | undefined> {
    const pending = this.loaded.get(id);
    if (pending) return pending;
    const group: string[] = [];
    let bytes = 0;
    for (let i = Math.max(0, this.order.indexOf(id)); i < this.order.length; i++) {
      const next = this.order[i]!;
      if (next !== id && (this.loaded.has(next) || this.released.has(next))) continue;
      const size = this.sizes.get(next) ?? 0;
      if (group.length > 0 && bytes + size > this.budget) break;
      group.push(next);
      bytes += size;
    }
    if (!group.includes(id)) group.unshift(id);
    const reading = this.read(this.db, group);
    for (const member of group) {
      // Each row takes its payload out of the page, so a page is freed as its rows are done.
      const own = reading.then((page) => {
        const payload = page.get(member);
        page.delete(member);
        return payload;
      });
      own.catch(() => {}); // a failed read is reported to the row that asked; the others ask again
      this.loaded.set(member, own);
    }
    reading.catch(() => group.forEach((member) => this.loaded.delete(member)));
    return this.loaded.get(id)!;
  }

  /** The row's attempt has ended: its payload is not needed any more. */
  release(id: string): void {
    this.loaded.delete(id);
    this.released.add(id);
  }
}
