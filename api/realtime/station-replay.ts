import type { Static } from '@sinclair/typebox';
import type { ReplayEvent, ReplayOutcome } from '../contract/ws-station.ts';
import { inTransaction, isUniqueViolation, reading } from '../db/transaction.ts';
import { endSessionOnStation } from '../sessions/station-own-session.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DomainError } from '../shared/errors.ts';
import type { StoredReplayOutcome } from './station-replays-table.ts';

export type ReplayedEvent = Static<typeof ReplayEvent>;

export interface ReplayResultItem {
  eventId: string;
  outcome: Static<typeof ReplayOutcome>;
  /** Why it was rejected or failed; null when applied or a duplicate of an applied one. */
  code: string | null;
}

/**
 * Applies events an agent queued while the box was unreachable, in order,
 * each at most once per station: the (station, event id) row is claimed
 * before the change, so a second replay of the same event (the agent did
 * not get the first answer) is reported as a duplicate and changes nothing.
 *
 * - applied: done now.
 * - rejected: refused for good (e.g. the session had meanwhile expired at
 *   its deadline, or was ended by an operator); the agent drops it.
 * - duplicate: seen before; `code` repeats the first outcome's reason.
 * - failed: storage failure; the claim is released, the agent keeps the
 *   event and replays it later.
 *
 * The session ends at the replay's time, not at `occurredAt`: the box's
 * clock is the one that counts for records, and the agent's offline clock is
 * kept only in its own log. (A session the visitor left while offline keeps
 * running on the box until then, or expires at its deadline.)
 */
export async function replayStationEvents(ctx: DomainContext, stationId: number, events: readonly ReplayedEvent[]): Promise<ReplayResultItem[]> {
  const results: ReplayResultItem[] = [];
  for (const event of events) results.push(await replayOne(ctx, stationId, event));
  return results;
}

async function replayOne(ctx: DomainContext, stationId: number, event: ReplayedEvent): Promise<ReplayResultItem> {
  const claimed = await claim(ctx, stationId, event);
  if (!claimed.ok) return { eventId: event.eventId, outcome: claimed.outcome, code: claimed.code };
  let outcome: StoredReplayOutcome = 'applied';
  let code: string | null = null;
  try {
    await endSessionOnStation(ctx, event.sessionId, stationId);
  } catch (error) {
    if (error instanceof DomainError && error.category !== 'unavailable') {
      outcome = 'rejected';
      code = error.code;
    } else {
      await release(ctx, stationId, event.eventId);
      return { eventId: event.eventId, outcome: 'failed', code: error instanceof DomainError ? error.code : 'STORAGE_FAILURE' };
    }
  }
  await reading(() =>
    ctx.db.updateTable('station_replays').set({ outcome, error_code: code }).where('station_id', '=', stationId).where('event_id', '=', event.eventId).execute(),
  ).catch(() => {
    // The change itself is committed; a stale "pending" only means a later replay reports a duplicate.
  });
  return { eventId: event.eventId, outcome, code };
}

type Claim = { ok: true } | { ok: false; outcome: 'duplicate' | 'failed'; code: string | null };

async function claim(ctx: DomainContext, stationId: number, event: ReplayedEvent): Promise<Claim> {
  try {
    await inTransaction(ctx.db, (trx) =>
      trx
        .insertInto('station_replays')
        .values({ station_id: stationId, event_id: event.eventId, event_type: event.type, received_at: ctx.clock.now(), outcome: 'pending', error_code: null })
        .execute(),
    );
    return { ok: true };
  } catch (error) {
    if (error instanceof DomainError && isUniqueViolation(error.cause)) {
      const first = await reading(() =>
        ctx.db.selectFrom('station_replays').select('error_code').where('station_id', '=', stationId).where('event_id', '=', event.eventId).executeTakeFirst(),
      ).catch(() => undefined);
      return { ok: false, outcome: 'duplicate', code: first?.error_code ?? null };
    }
    return { ok: false, outcome: 'failed', code: error instanceof DomainError ? error.code : 'STORAGE_FAILURE' };
  }
}

async function release(ctx: DomainContext, stationId: number, eventId: string): Promise<void> {
  await reading(() => ctx.db.deleteFrom('station_replays').where('station_id', '=', stationId).where('event_id', '=', eventId).execute()).catch(() => {
    // Left claimed: the agent's retry will read as a duplicate; logged by the caller's error path.
  });
}
