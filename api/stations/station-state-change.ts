import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import type { DbOrTx } from '../db/schema.ts';
import type { Clock } from '../shared/clock.ts';
import { updateStationRow } from './stations-repository.ts';
import type { Station, StationState } from './stations-table.ts';

/** Reason the silence sweep writes; a heartbeat only lifts an offline state carrying it. */
export const SILENCE_REASON = 'no heartbeat';

export type StationStateAction = 'station.state_changed' | 'station.approved' | 'station.went_offline' | 'station.came_online';

export interface StateChange {
  to: StationState;
  reason: string | null;
  action?: StationStateAction;
  /** Extra audit metadata (figures only). */
  metadata?: Record<string, unknown>;
}

/**
 * Writes a station's new state and its one audit event ({from, to, reason}).
 * Call inside the transaction that read `station`. Exported so the sessions
 * service can mark a station occupied/available in its own transaction.
 */
export async function writeStationState(trx: DbOrTx, clock: Clock, actor: Actor, station: Station, change: StateChange): Promise<Station> {
  const updated = await updateStationRow(trx, station.id, { state: change.to, state_reason: change.reason, updated_at: clock.now() });
  await appendAudit(trx, clock, {
    actor,
    action: change.action ?? 'station.state_changed',
    target: { type: 'station', id: station.id },
    metadata: { from: station.state, to: change.to, reason: change.reason, ...change.metadata },
  });
  return updated;
}
