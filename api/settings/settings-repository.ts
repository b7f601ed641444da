import type { DbOrTx } from '../db/schema.ts';
import type { SettingRow } from './settings-table.ts';

export async function allSettingRows(db: DbOrTx): Promise<SettingRow[]> {
  return db.selectFrom('settings').selectAll().orderBy('key').execute();
}

export async function findSettingRow(db: DbOrTx, key: string): Promise<SettingRow | undefined> {
  return db.selectFrom('settings').selectAll().where('key', '=', key).executeTakeFirst();
}

/** Insert or replace one value (ON CONFLICT works on SQLite and PostgreSQL alike). */
export async function upsertSetting(db: DbOrTx, row: SettingRow): Promise<void> {
  await db
    .insertInto('settings')
    .values(row)
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: row.value, updated_at: row.updated_at, updated_by: row.updated_by }))
    .execute();
}

export async function deleteSettingRow(db: DbOrTx, key: string): Promise<void> {
  await db.deleteFrom('settings').where('key', '=', key).execute();
}
