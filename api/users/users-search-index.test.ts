import { Migrator, sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../db/migrator.ts';
import { up as migration010 } from '../db/migrations/010-visitor-search.ts';
import { migrations } from '../db/migrations/index.ts';
import { openSqlite } from '../db/open-sqlite.ts';
import type { Database } from '../db/schema.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { trigramsOf } from './search-index.ts';
import { deleteUser, revokeConsent } from './user-anonymise.ts';
import { listUserRows } from './users-query.ts';
import { createUser, updateUser } from './users-service.ts';
import { errorOf, usersKit, visitorInput } from './users-test-kit.ts';

// The trigram index (migration 010) is kept by triggers: after any write, each trigram must
// name exactly the visitors whose search_text or phone holds it, no more, no fewer.

async function bodies(db: Kysely<Database>): Promise<Map<number, string>> {
  const rows = await db.selectFrom('users').select(['id', 'search_text', 'phone']).execute();
  return new Map(rows.filter((r) => r.search_text !== null || r.phone !== null).map((r) => [r.id, [r.search_text, r.phone].filter((p) => p !== null).join(' ')]));
}

async function holders(db: Kysely<Database>, trigram: string): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`select rowid as id from users_search where users_search match ${`"${trigram.replaceAll('"', '""')}"`} order by rowid`.execute(db);
  return rows.map((r) => r.id);
}

/** Every trigram of the visitors' texts and of `formerly` (texts that must be gone) names exactly its holders. */
async function expectIndexInStep(db: Kysely<Database>, formerly: string[] = []): Promise<void> {
  const texts = await bodies(db);
  const trigrams = new Set([...texts.values(), ...formerly].flatMap(trigramsOf));
  for (const trigram of trigrams) {
    const expected = [...texts].filter(([, body]) => body.includes(trigram)).map(([id]) => id).sort((a, b) => a - b);
    expect(await holders(db, trigram), trigram).toEqual(expected);
  }
  const { rows } = await sql<{ n: number }>`select count(*) as n from users_search`.execute(db);
  expect(Number(rows[0]!.n)).toBe(texts.size);
}

async function found(db: Kysely<Database>, search: string): Promise<number[]> {
  const q = { search, includeAnonymised: true, guardianCutoff: '2011-11-24', sort: 'name', order: 'asc', offset: 0, limit: 100 } as const;
  return (await listUserRows(db, q, { maxIndexedCandidates: Number.POSITIVE_INFINITY })).rows.map((r) => r.id);
}

describe('the trigram index follows every write', () => {
  it('on registration, renaming, a new phone or email, anonymisation and deletion', async () => {
    const k = await usersKit();
    const marie = await createUser(k.ctx, k.actor, visitorInput({ firstName: 'Marie', lastName: 'Técher', phone: '0692 11 22 33', email: 'marie@example.re' }));
    const eric = await createUser(k.ctx, k.actor, visitorInput({ firstName: 'Éric', lastName: 'Hoarau', phone: '0692 44 55 66', email: null }));
    const zoe = await createUser(k.ctx, k.actor, visitorInput({ firstName: 'Zoé', lastName: "D'Abadie", phone: '0262 40 50 60', email: null }));
    await expectIndexInStep(k.db);
    expect(await found(k.db, 'techer')).toEqual([marie.id]);

    await updateUser(k.ctx, k.actor, marie.id, { lastName: 'Grondin', phone: '0693 01 02 03', email: null });
    await expectIndexInStep(k.db, ['techer', '+262692112233', 'example.re']);
    expect(await found(k.db, 'techer')).toEqual([]);
    expect(await found(k.db, 'grondin 0693')).toEqual([marie.id]);

    await updateUser(k.ctx, k.actor, eric.id, { notes: 'Aide CAF' });
    await expectIndexInStep(k.db);

    await revokeConsent(k.ctx, k.actor, eric.id);
    await deleteUser(k.ctx, k.actor, zoe.id);
    await expectIndexInStep(k.db, ['hoarau eric', "d'abadie zoe", '+262692445566', '+262262405060']);
    expect(await found(k.db, 'hoarau')).toEqual([]);
    expect(await found(k.db, '0262 40')).toEqual([]);
  });

  it('on writes outside the service: a restored row, a hard delete, an insert by a script', async () => {
    const k = await usersKit();
    const gone = await createUser(k.ctx, k.actor, visitorInput({ firstName: 'Yann', lastName: 'Bègue', phone: '0692 00 00 02' }));
    const kept = await createUser(k.ctx, k.actor, visitorInput({ firstName: 'Lou', lastName: 'Payet', phone: '0692 00 00 03' }));
    await deleteUser(k.ctx, k.actor, gone.id);
    // An admin undoing a deletion by hand: the row is listed again, with no text left to find.
    await k.db.updateTable('users').set({ deleted_at: null }).where('id', '=', gone.id).execute();
    await expectIndexInStep(k.db, ['begue yann']);
    await k.db.deleteFrom('users').where('id', '=', kept.id).execute();
    const now = k.clock.now();
    await sql`insert into users (first_name, last_name, phone, search_text, created_at, updated_at) values ('Ana', 'Rivière', '+262692000004', 'riviere ana', ${now}, ${now})`.execute(k.db);
    await sql`update users set id = 1000 where search_text = 'riviere ana'`.execute(k.db);
    await expectIndexInStep(k.db, ['payet lou', '+262692000003']);
    expect(await found(k.db, 'riviere')).toEqual([1000]);
  });

  it('leaves the index as it was when the transaction fails', async () => {
    const k = await usersKit();
    const marie = await createUser(k.ctx, k.actor, visitorInput({ firstName: 'Marie', lastName: 'Técher', phone: '0692 11 22 33', email: null }));
    const broken = { ...k.ctx, db: failingWhen(k.db, insertInto('audit_events')) };
    expect((await errorOf(() => createUser(broken, k.actor, visitorInput({ firstName: 'Paul', lastName: 'Lebon', phone: '0692 99 99 99' })))).code).toBe('STORAGE_FAILURE');
    expect((await errorOf(() => updateUser(broken, k.actor, marie.id, { lastName: 'Fontaine', phone: '0693 12 12 12' }))).code).toBe('STORAGE_FAILURE');
    expect((await errorOf(() => revokeConsent(broken, k.actor, marie.id))).code).toBe('STORAGE_FAILURE');
    expect((await errorOf(() => deleteUser(broken, k.actor, marie.id))).code).toBe('STORAGE_FAILURE');
    await expectIndexInStep(k.db, ['lebon paul', 'fontaine', '+262692999999', '+262693121212']);
    expect(await found(k.db, 'techer 0692')).toEqual([marie.id]);
    expect(await found(k.db, 'fontaine')).toEqual([]);
  });
});

describe('migration 010', () => {
  let db: Kysely<Database> | undefined;
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
  });

  it('indexes the visitors already there', async () => {
    db = openSqlite({ path: ':memory:' });
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo('009-search-phone')).error).toBeUndefined();
    await sql`insert into users (first_name, last_name, phone, email, search_text, created_at, updated_at) values
      ('Hélène', 'Técher', '+262692112233', 'helene@example.re', 'techer helene helene@example.re', 1, 1),
      (null, null, null, null, null, 2, 2),
      ('Noa', 'Payet', null, null, 'payet noa', 3, 3)`.execute(db);
    expect(await migrateToLatest(db)).toEqual(['010-visitor-search']);
    await expectIndexInStep(db);
    expect(await found(db, 'example.re 0692')).toEqual([1]);
    expect(await found(db, 'payet')).toEqual([3]);
  });

  it('runs again after an interrupted start, and the index is still in step', async () => {
    db = openSqlite({ path: ':memory:' });
    await migrateToLatest(db);
    await sql`insert into users (first_name, last_name, phone, search_text, created_at, updated_at) values ('Noa', 'Payet', '+262692112233', 'payet noa', 1, 1)`.execute(db);
    await migration010(db);
    await expectIndexInStep(db);
    expect(await found(db, 'payet 0692')).toEqual([1]);
  });
});
