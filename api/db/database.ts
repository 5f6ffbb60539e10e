import type { LibSQLDatabase } from 'drizzle-orm/libsql';
import type * as schema from './schema.ts';

/** The drizzle database over libSQL, typed by the schema's tables. */
export type Database = LibSQLDatabase<typeof schema>;
