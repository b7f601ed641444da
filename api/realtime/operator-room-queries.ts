import type { DbOrTx } from '../db/schema.ts';
import type { Session } from '../sessions/sessions-table.ts';

/**
 * What the operators' live room opens with. Running sessions are few (one per
 * station at most); unused codes can be tens of thousands (printed in
 * advance, valid for days), so the snapshot counts them and the panel pages
 * them through GET /api/sessions/live?status=pending.
 */
export async function runningSessions(db: DbOrTx): Promise<Session[]> {
  return db.selectFrom('sessions').selectAll().where('status', 'in', ['active', 'suspended']).orderBy('created_at').orderBy('id').execute();
}

/** Unused codes, as many as GET /api/sessions/live?status=pending lists (a code past its expiry stays pending until the expiry job). */
export async function countPendingCodes(db: DbOrTx): Promise<number> {
  const row = await db.selectFrom('sessions').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow();
  return Number(row.n);
}
