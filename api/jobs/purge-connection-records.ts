import { sql } from 'kysely';
import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';

export const DAY_MS = 86_400_000;

export interface ConnectionRecordsPurge {
  retentionDays: number;
  /** Sessions that ended before this instant were deleted. */
  cutoff: number;
  sessions: number;
  /** Anonymised or deleted visitors left without any session. */
  visitors: number;
}

/**
 * Connection records (ended sessions: visitor, station, IP, start, end) are
 * kept `retentionDays` after their end, then deleted (French rules on public
 * internet access: one year). Visitors already anonymised or deleted whose
 * last session is gone go with them: nothing links to those rows any more.
 * Live sessions are never touched, whatever their age. One transaction and,
 * when something was deleted, one data.purged event with the counts.
 */
export async function purgeConnectionRecords(ctx: DomainContext, actor: Actor, now: number, retentionDays: number): Promise<ConnectionRecordsPurge> {
  const cutoff = now - retentionDays * DAY_MS;
  return inTransaction(ctx.db, async (trx) => {
    const sessions = await trx.deleteFrom('sessions').where('status', '=', 'ended').where('ended_at', '<', cutoff).executeTakeFirst();
    const visitors = await trx
      .deleteFrom('users')
      .where((eb) => eb.or([eb('anonymised_at', 'is not', null), eb('deleted_at', 'is not', null)]))
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('sessions').select(sql<number>`1`.as('one')).whereRef('sessions.user_id', '=', 'users.id'))))
      .executeTakeFirst();
    const result = { retentionDays, cutoff, sessions: Number(sessions.numDeletedRows), visitors: Number(visitors.numDeletedRows) };
    if (result.sessions + result.visitors > 0) {
      await appendAudit(trx, ctx.clock, {
        actor,
        action: 'data.purged',
        target: { type: 'system', id: null },
        metadata: { dataset: 'connection_records', ...result },
      });
    }
    return result;
  });
}
