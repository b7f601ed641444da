import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export const STATION_STATES = ['available', 'occupied', 'maintenance', 'offline', 'pending'] as const;
export type StationState = (typeof STATION_STATES)[number];

/**
 * Public PCs. "online" is not stored: it is derived from last_heartbeat_at.
 * Name (case-insensitive), MAC and IP are unique among stations not deleted.
 */
export interface StationsTable {
  id: Generated<number>;
  name: string;
  /** Lower-case, colon separated: aa:bb:cc:dd:ee:ff. */
  mac: string;
  ip: string | null;
  state: StationState;
  state_reason: string | null;
  last_heartbeat_at: number | null;
  agent_version: string | null;
  /** Soft deletion (epoch ms); null while the station exists. Sessions keep referring to deleted stations. */
  deleted_at: number | null;
  created_at: number;
  updated_at: number;
}

export type Station = Selectable<StationsTable>;
export type NewStation = Insertable<StationsTable>;
export type StationUpdate = Updateable<StationsTable>;
