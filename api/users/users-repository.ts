import type { DbOrTx } from '../db/schema.ts';
import type { NewUser, User, UserUpdate } from './users-table.ts';

/**
 * Row access for visitors. Functions take a database or an open transaction
 * first; they neither validate nor audit (the service does both).
 */

export async function findUserRow(db: DbOrTx, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertUserRow(trx: DbOrTx, row: NewUser): Promise<User> {
  return trx.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateUserRow(trx: DbOrTx, id: number, patch: UserUpdate): Promise<User> {
  return trx.updateTable('users').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** The personal fields an anonymisation clears (everything that identifies the person). */
export const PERSONAL_FIELDS = [
  'first_name',
  'last_name',
  'birth_date',
  'phone',
  'email',
  'guardian_name',
  'notes',
  'photo_key',
  'photo_mime',
  'search_text',
] as const satisfies ReadonlyArray<keyof User>;

export function anonymisedPatch(now: number): UserUpdate {
  const cleared = Object.fromEntries(PERSONAL_FIELDS.map((f) => [f, null])) as UserUpdate;
  return { ...cleared, anonymised_at: now, updated_at: now };
}

/** Ids of the visitor's sessions running on a station (active or suspended). */
export async function runningSessionIds(db: DbOrTx, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where('status', 'in', ['active', 'suspended'])
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Cancels the visitor's codes not yet used (pending sessions): they end as
 * `cancelled` with their whole allowance left. Returns the ids.
 */
export async function cancelPendingSessions(trx: DbOrTx, userId: number, now: number): Promise<number[]> {
  const rows = await trx
    .updateTable('sessions')
    .set((eb) => ({
      status: 'ended',
      end_reason: 'cancelled',
      ended_at: now,
      ends_at: null,
      remaining_ms: eb.fn.coalesce('remaining_ms', 'allotted_ms'),
      updated_at: now,
    }))
    .where('user_id', '=', userId)
    .where('status', '=', 'pending')
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** Photo keys among `keys` that some visitor still references. */
export async function referencedPhotoKeys(db: DbOrTx, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    const rows = await db.selectFrom('users').select('photo_key').where('photo_key', 'in', chunk).execute();
    for (const r of rows) if (r.photo_key !== null) found.add(r.photo_key);
  }
  return found;
}
