import type { Selectable } from 'kysely';

/**
 * One login of an operator: the panel cookie and the API's refresh-token family
 * both point here, so logout or reuse detection ends both at once.
 */
export interface AuthSessionsTable {
  /** Random, url-safe; appears inside access tokens. */
  id: string;
  operator_id: number;
  created_at: number;
  /** Absolute end of the login, whatever the refreshes. */
  expires_at: number;
  last_seen_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  ip: string | null;
  user_agent: string | null;
}

/** Refresh tokens, stored as sha256 only. A used token stays, to detect reuse. */
export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  issued_at: number;
  expires_at: number;
  /** Set when exchanged: presenting it again means it was stolen. */
  used_at: number | null;
}

/** A station's own credential (issued at enrollment), stored as sha256 only. */
export interface StationTokensTable {
  token_hash: string;
  station_id: number;
  created_at: number;
  revoked_at: number | null;
}

export type AuthSession = Selectable<AuthSessionsTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
export type StationTokenRow = Selectable<StationTokensTable>;
