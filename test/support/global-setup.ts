import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../scripts/lib/migrate.ts';
import { startSqld } from '../../scripts/lib/sqld.ts';
import { startBrokenDatabase } from './broken-database.ts';
import { startSmtpFixtures, type SmtpFixturesInfo } from './smtp-servers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dbUrl: string;
    smtpFixtures: SmtpFixturesInfo;
    /** An HTTP server that drops the connection halfway through its answer (see broken-database.ts). */
    brokenDatabasePort: number;
  }
}

/** Runs in Node before the test projects: a real libSQL server with the migrations, real SMTP servers, a broken database. */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'mss-test-db-'));
  const sqld = await startSqld(dataDir);
  await applyMigrations(sqld.url);
  const smtp = await startSmtpFixtures();
  const broken = await startBrokenDatabase();
  project.provide('dbUrl', sqld.url);
  project.provide('smtpFixtures', smtp.info);
  project.provide('brokenDatabasePort', broken.port);
  return async () => {
    await broken.stop();
    await smtp.stop();
    await sqld.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
