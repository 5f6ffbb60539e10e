// Transitional: the outbox files still import these from here until their split lands.
export type { Bindings } from './config/bindings.ts';
export type { Database } from './db/database.ts';
export type { TenantIdentity } from './db/schema.ts';
export type { Enqueue } from './outbox/enqueue.ts';
