import type { Insertable, Selectable } from 'kysely';

export const REPLAY_OUTCOMES = ['pending', 'applied', 'rejected'] as const;
export type StoredReplayOutcome = (typeof REPLAY_OUTCOMES)[number];

/**
 * Offline events a station replayed, by (station_id, event_id): the key that
 * makes a replay idempotent. `pending` while being applied; a storage failure
 * removes the row so the agent's next replay tries again.
 */
export interface StationReplaysTable {
  station_id: number;
  event_id: string;
  event_type: string;
  received_at: number;
  outcome: StoredReplayOutcome;
  /** Domain error code when rejected (e.g. the session had already ended). */
  error_code: string | null;
}

export type StationReplay = Selectable<StationReplaysTable>;
export type NewStationReplay = Insertable<StationReplaysTable>;
