import { sql } from 'drizzle-orm';
import journal from '../../../drizzle/meta/_journal.json';
import { isUnavailable } from '../../db/unavailable.ts';
import type { Database } from '../../db/database.ts';

/** How long /healthz waits for the database's answer. */
const HEALTH_DB_TIMEOUT_MS = 3_000;

/** drizzle's migrator records each applied migration with its journal time (`when`) as `created_at`. */
const LATEST_MIGRATION = Math.max(...journal.entries.map((entry) => entry.when));

const NO_ANSWER = new Error('the database did not answer in time');

/** SQLite's answer for a missing table, possibly wrapped (drizzle wraps the client's error). */
function saysNoSuchTable(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (/no such table/i.test(e.message)) return true;
  }
  return false;
}

export type DatabaseState = 'ok' | 'unreachable' | 'not migrated' | 'not writing';

/** A write probe's verdict is reused this long per database (a monitor polling every second costs one write in ten). */
const WRITE_PROBE_TTL_MS = 10_000;
const probed = new Map<string, { at: number; writes: boolean }>();

/**
 * Whether the database takes a write: an UPDATE that matches no row still needs the write lock,
 * which a wedged sqld never grants (reads go on being answered), and changes nothing.
 */
async function takesWrites(db: Database, key: string, late: Promise<never>): Promise<boolean> {
  const last = probed.get(key);
  if (last && Date.now() - last.at < WRITE_PROBE_TTL_MS) return last.writes;
  const writes = await Promise.race([
    db.run(sql`update __drizzle_migrations set created_at = created_at where 0`).then(() => true),
    late,
  ]).catch(() => false);
  probed.set(key, { at: Date.now(), writes });
  return writes;
}

/**
 * Whether the database answers in time with every migration applied, and takes writes; `open`
 * may throw for a URL it cannot open; `key` names the database for the write probe's reuse.
 */
export async function databaseState(open: () => Database, key: string): Promise<DatabaseState> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const db = open();
    // A monitor wants an answer soon, also from a database that takes calls but never answers.
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(NO_ANSWER), HEALTH_DB_TIMEOUT_MS)));
    late.catch(() => {});
    const read = db.all<{ latest: number | null }>(sql`select max(created_at) as latest from __drizzle_migrations`);
    const [row] = await Promise.race([read, late]);
    if (Number(row?.latest ?? 0) < LATEST_MIGRATION) return 'not migrated';
    return (await takesWrites(db, key, late)) ? 'ok' : 'not writing';
  } catch (error) {
    // "not migrated" only when the database answered that it has no migrations table; anything
    // else (refused, a path that cannot be opened, an unknown scheme) is not reaching it.
    return error !== NO_ANSWER && !isUnavailable(error) && saysNoSuchTable(error) ? 'not migrated' : 'unreachable';
  } finally {
    clearTimeout(timer);
  }
}
