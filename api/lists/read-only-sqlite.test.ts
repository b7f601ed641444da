import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDbFile } from '../testing/test-db.ts';
import { openReadOnlySqlite } from './read-only-sqlite.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function file() {
  const f = await createTestDbFile();
  cleanups.push(f.cleanup);
  return f;
}

describe('openReadOnlySqlite', () => {
  it('reads what the main connection committed, and refuses to write', async () => {
    const { db, path } = await file();
    const reader = openReadOnlySqlite({ path, busyTimeoutMs: 1000, pageCacheKiB: 512 });
    cleanups.unshift(() => reader.destroy());
    const count = async () => Number((await sql<{ n: number }>`select count(*) as n from settings`.execute(reader)).rows[0]!.n);
    const before = await count();
    await db.insertInto('settings').values({ key: 'read-only-test', value: '1', updated_at: 0, updated_by: null }).execute();
    expect(await count()).toBe(before + 1);
    await expect(sql`delete from settings`.execute(reader)).rejects.toThrow(/readonly|read-only/i);
    expect(await count()).toBe(before + 1);
  });

  it('refuses a database that is not in WAL mode (a reader would hold up the writer)', async () => {
    const { db, path } = await file();
    await sql`pragma journal_mode = delete`.execute(db);
    expect(() => openReadOnlySqlite({ path, busyTimeoutMs: 1000, pageCacheKiB: 512 })).toThrow(/not WAL/);
  });
});
