import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from './schema.ts';
import { DEFAULT_PAGE_CACHE_KIB, openSqlite } from './open-sqlite.ts';

async function pragma(db: Kysely<Database>, name: string): Promise<unknown> {
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.raw(`pragma_${name}`)}`.execute(db);
  return Object.values(rows[0]!)[0];
}

describe('openSqlite', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('opens a file in WAL mode with foreign keys, a busy timeout and a bounded page cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'epnbox-open-sqlite-'));
    dirs.push(dir);
    const db = openSqlite({ path: join(dir, 'a.sqlite'), busyTimeoutMs: 1234 });
    try {
      expect(await pragma(db, 'journal_mode')).toBe('wal');
      expect(await pragma(db, 'foreign_keys')).toBe(1);
      expect(await pragma(db, 'busy_timeout')).toBe(1234);
      // better-sqlite3's build would give every connection 16,000 KiB.
      expect(await pragma(db, 'cache_size')).toBe(-DEFAULT_PAGE_CACHE_KIB);
      expect(DEFAULT_PAGE_CACHE_KIB).toBeLessThan(16_000);
    } finally {
      await db.destroy();
    }
  });

  it('takes the page cache size in KiB, with a floor', async () => {
    const small = openSqlite({ path: ':memory:', pageCacheKiB: 512 });
    const tiny = openSqlite({ path: ':memory:', pageCacheKiB: 1 });
    try {
      expect(await pragma(small, 'cache_size')).toBe(-512);
      expect(await pragma(tiny, 'cache_size')).toBe(-64);
    } finally {
      await small.destroy();
      await tiny.destroy();
    }
  });
});
