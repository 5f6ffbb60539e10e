// `npm run db:migrate`: applies drizzle/ to DATABASE_URL (with DATABASE_AUTH_TOKEN for Turso).
import { applyMigrations } from './lib/migrate.ts';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (e.g. libsql://<db>.turso.io or http://127.0.0.1:8080)');
  process.exit(1);
}
await applyMigrations(url, process.env.DATABASE_AUTH_TOKEN);
console.log('migrations applied');
