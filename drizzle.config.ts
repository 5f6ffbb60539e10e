import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'turso',
  schema: './api/db/schema.ts',
  out: './drizzle',
  strict: true,
  dbCredentials: { url: process.env.DATABASE_URL ?? 'http://127.0.0.1:8080' },
});
