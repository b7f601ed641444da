import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * How long a replayed event id is remembered. The id only has to outlive the
 * agent's retries (it resends a batch until it reads the answer, at its next
 * connection); and past that, a forgotten id replayed again changes nothing
 * either: the session it ends has long ended, so it is rejected, not applied twice.
 */
export const STATION_REPLAYS_KEEP_DAYS = 30;

export interface StationReplaysPurge {
  keepDays: number;
  cutoff: number;
  replays: number;
}

/**
 * Deletes replay records received more than `keepDays` ago, in one
 * transaction with its data.purged event (none when nothing went). Part of
 * the daily purge job.
 */
export async function purgeStationReplays(ctx: DomainContext, actor: Actor, now: number, keepDays = STATION_REPLAYS_KEEP_DAYS): Promise<StationReplaysPurge> {
  const cutoff = now - keepDays * DAY_MS;
  return inTransaction(ctx.db, async (trx) => {
    const deleted = await trx.deleteFrom('station_replays').where('received_at', '<', cutoff).executeTakeFirst();
    const result = { keepDays, cutoff, replays: Number(deleted.numDeletedRows) };
    if (result.replays > 0) {
      await appendAudit(trx, ctx.clock, { actor, action: 'data.purged', target: { type: 'system', id: null }, metadata: { dataset: 'station_replays', ...result } });
    }
    return result;
  });
}
