import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export const SESSION_STATUSES = ['pending', 'active', 'suspended', 'ended'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const LIVE_STATUSES = ['pending', 'active', 'suspended'] as const satisfies readonly SessionStatus[];

export const END_REASONS = ['expired', 'ended_by_operator', 'ended_by_visitor', 'cancelled', 'code_expired'] as const;
export type EndReason = (typeof END_REASONS)[number];

/**
 * One access code and the use made of it. Time is never counted down: an
 * active session has a deadline (ends_at); a pending, suspended or ended one
 * has its remaining time frozen in remaining_ms.
 */
export interface SessionsTable {
  id: Generated<number>;
  /** Normalised code: 8 upper-case characters, no separator. */
  code: string;
  user_id: number;
  /** When set, the code only works on this station. */
  bound_station_id: number | null;
  /** Station where the session runs (set at start). */
  station_id: number | null;
  /** Station IP at start: part of the connection record kept for retention. */
  station_ip: string | null;
  status: SessionStatus;
  end_reason: EndReason | null;
  /** Total time granted, including time added or removed later. */
  allotted_ms: number;
  /** Frozen remaining time while pending / suspended / ended; null while active. */
  remaining_ms: number | null;
  /** Deadline while active; null otherwise. */
  ends_at: number | null;
  code_expires_at: number;
  created_at: number;
  started_at: number | null;
  suspended_at: number | null;
  ended_at: number | null;
  created_by: number | null;
  updated_at: number;
}

export type Session = Selectable<SessionsTable>;
export type NewSession = Insertable<SessionsTable>;
export type SessionUpdate = Updateable<SessionsTable>;
