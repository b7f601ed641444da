import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../db/open-sqlite.ts';
import type { Database, DbOrTx } from '../db/schema.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { createTestDb, createTestDbFile } from '../testing/test-db.ts';
import { countedTotal } from './list-totals.ts';

const T = 1_700_000_000_000;
let db: Kysely<Database>;

function addUser(on: DbOrTx, name: string) {
  return on
    .insertInto('users')
    .values({ first_name: name, last_name: name, search_text: name.toLowerCase(), created_at: T, updated_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
}

const listed = (on: DbOrTx) => countedTotal(on, 'users', on.selectFrom('users').where('deleted_at', 'is', null).select((eb) => eb.fn.countAll().as('n')));
const named = (on: DbOrTx, text: string) =>
  countedTotal(on, 'users', on.selectFrom('users').where('search_text', 'like', `%${text}%`).select((eb) => eb.fn.countAll().as('n')));

beforeEach(async () => {
  db = await createTestDb();
  await addUser(db, 'Alice');
  await addUser(db, 'Bob');
});
afterEach(async () => {
  await db.destroy();
});

describe('countedTotal', () => {
  it('counts, and counts again after any insert, update or delete on the table', async () => {
    expect(await listed(db)).toBe(2);
    const { id } = await addUser(db, 'Chloé');
    expect(await listed(db)).toBe(3);
    await db.updateTable('users').set({ deleted_at: T }).where('id', '=', id).execute();
    expect(await listed(db)).toBe(2);
    await db.updateTable('users').set({ deleted_at: null }).where('id', '=', id).execute();
    expect(await listed(db)).toBe(3);
    await db.deleteFrom('users').where('id', '=', id).execute();
    expect(await listed(db)).toBe(2);
  });

  it('remembers a total until the counter moves: without the insert trigger a new row goes unseen', async () => {
    expect(await listed(db)).toBe(2);
    await sql`drop trigger users_list_version_insert`.execute(db);
    await addUser(db, 'Chloé');
    expect(await listed(db)).toBe(2);
    // Any other change to the table moves the counter again.
    await db.updateTable('users').set({ notes: 'x' }).where('first_name', '=', 'Alice').execute();
    expect(await listed(db)).toBe(3);
  });

  it('keeps each filter and parameter set apart', async () => {
    expect(await named(db, 'ali')).toBe(1);
    expect(await named(db, 'b')).toBe(1);
    expect(await named(db, '')).toBe(2);
    expect(await listed(db)).toBe(2);
  });

  it('does not move with writes to other tables', async () => {
    expect(await listed(db)).toBe(2);
    const version = async () => (await sql<{ version: number }>`select version from list_versions where name = 'users'`.execute(db)).rows[0]!.version;
    const before = await version();
    await db.insertInto('settings').values({ key: 'probe', value: '1', updated_at: T }).execute();
    expect(await version()).toBe(before);
  });

  it('sees writes made through another connection to the same file', async () => {
    const file = await createTestDbFile();
    const other = openSqlite({ path: file.path });
    try {
      await addUser(file.db, 'Alice');
      expect(await listed(file.db)).toBe(1);
      await addUser(other, 'Bob');
      expect(await listed(file.db)).toBe(2);
    } finally {
      await other.destroy();
      await file.cleanup();
    }
  });

  it('inside a transaction counts what the transaction sees and remembers nothing of it', async () => {
    expect(await listed(db)).toBe(2);
    const rolledBack = db.transaction().execute(async (trx) => {
      await addUser(trx, 'Chloé');
      expect(await listed(trx)).toBe(3);
      throw new Error('roll back');
    });
    await expect(rolledBack).rejects.toThrow('roll back');
    expect(await listed(db)).toBe(2);
    await db.transaction().execute(async (trx) => {
      await addUser(trx, 'Chloé');
      expect(await listed(trx)).toBe(3);
    });
    expect(await listed(db)).toBe(3);
  });

  it('fails like any query when storage fails', async () => {
    const broken = createBrokenDb();
    await expect(listed(broken)).rejects.toMatchObject({ code: 'SQLITE_IOERR' });
  });
});
