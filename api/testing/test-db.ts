import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { migrateToLatest } from '../db/migrator.ts';
import { openSqlite } from '../db/open-sqlite.ts';
import type { Database } from '../db/schema.ts';

/** A real, migrated SQLite database in memory. */
export async function createTestDb(): Promise<Kysely<Database>> {
  const db = openSqlite({ path: ':memory:' });
  await migrateToLatest(db);
  return db;
}

/** A real, migrated SQLite file in a fresh temp directory (WAL needs a file). */
export async function createTestDbFile(): Promise<{ db: Kysely<Database>; path: string; dir: string; cleanup: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'epnbox-test-'));
  const path = join(dir, 'epnbox.sqlite');
  const db = openSqlite({ path });
  await migrateToLatest(db);
  return {
    db,
    path,
    dir,
    cleanup: async () => {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
