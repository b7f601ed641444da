import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBrokenDb } from '../testing/broken-db.ts';
import { createTestDb } from '../testing/test-db.ts';
import { ARRAY_ROWS_MARK, arrayRows } from './array-rows.ts';
import type { Database } from './schema.ts';
import { inTransaction } from './transaction.ts';

let db: Kysely<Database>;
const select = (id: number) => db.selectFrom('settings').select(['key', 'value']).where('key', '=', `k${id}`).compile();

beforeEach(async () => {
  db = await createTestDb();
  await db.insertInto('settings').values({ key: 'k1', value: 'one', updated_at: 1, updated_by: null }).execute();
});
afterEach(async () => {
  await db.destroy();
});

describe('arrayRows', () => {
  it('gives rows as arrays in select order, while the same query unmarked still gives objects', async () => {
    expect(await arrayRows(db, select(1))).toEqual([['k1', 'one']]);
    expect((await db.executeQuery(select(1))).rows).toEqual([{ key: 'k1', value: 'one' }]);
    expect(await arrayRows(db, select(2))).toEqual([]);
  });

  it('accepts a query already marked', async () => {
    const query = select(1);
    expect(await arrayRows(db, CompiledQuery.raw(ARRAY_ROWS_MARK + query.sql, [...query.parameters]))).toEqual([['k1', 'one']]);
  });

  it('runs on a transaction, which alone sees its uncommitted writes', async () => {
    await expect(
      inTransaction(db, async (trx) => {
        await trx.updateTable('settings').set({ value: 'changed' }).where('key', '=', 'k1').execute();
        expect(await arrayRows(trx, select(1))).toEqual([['k1', 'changed']]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow();
    expect(await arrayRows(db, select(1))).toEqual([['k1', 'one']]);
  });

  it('never sees another caller’s uncommitted change: it waits for the open transaction', async () => {
    let updated!: () => void;
    let release!: () => void;
    const isUpdated = new Promise<void>((resolve) => (updated = resolve));
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tx = inTransaction(db, async (trx) => {
      await trx.updateTable('settings').set({ value: 'uncommitted' }).where('key', '=', 'k1').execute();
      updated();
      await gate;
      throw new Error('roll back');
    });
    await isUpdated;
    const read = arrayRows(db, select(1));
    release();
    await expect(tx).rejects.toThrow();
    expect(await read).toEqual([['k1', 'one']]);
  });

  it('turns object rows into arrays on a handle without the statement cache', async () => {
    const plain = new Kysely<Database>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) });
    try {
      expect(await arrayRows(plain, CompiledQuery.raw("select 'a' as x, 2 as y, null as z"))).toEqual([['a', 2, null]]);
    } finally {
      await plain.destroy();
    }
  });

  it('surfaces a storage failure', async () => {
    await expect(arrayRows(createBrokenDb(), select(1))).rejects.toMatchObject({ code: 'SQLITE_IOERR' });
  });
});
