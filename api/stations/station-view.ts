import type { DomainPolicy } from '../shared/domain-context.ts';
import type { Station, StationState } from './stations-table.ts';

/** The session running on a station (active or suspended), as the station grid needs it. */
export interface LiveSessionRef {
  id: number;
  userId: number;
  status: 'active' | 'suspended';
  startedAt: number | null;
  /** Deadline while active; null while suspended. */
  endsAt: number | null;
  /** Time left at `now`, never negative. */
  remainingMs: number;
}

/** What the API shows of a station: stored fields plus what is derived at `now`. */
export interface StationView {
  id: number;
  name: string;
  mac: string;
  ip: string | null;
  state: StationState;
  stateReason: string | null;
  /** Heard from within the heartbeat timeout; derived, never stored. */
  online: boolean;
  lastHeartbeatAt: number | null;
  /** Whole seconds since the last heartbeat; null if never heard from. */
  secondsSinceHeartbeat: number | null;
  agentVersion: string | null;
  createdAt: number;
  updatedAt: number;
  liveSession: LiveSessionRef | null;
}

/**
 * Online means a heartbeat arrived at most `heartbeatTimeoutMs` ago. The sweep
 * (markSilentStationsOffline) uses the complement, so the two never disagree.
 */
export function isStationOnline(lastHeartbeatAt: number | null, now: number, heartbeatTimeoutMs: number): boolean {
  return lastHeartbeatAt !== null && now - lastHeartbeatAt <= heartbeatTimeoutMs;
}

export function secondsSinceHeartbeat(lastHeartbeatAt: number | null, now: number): number | null {
  return lastHeartbeatAt === null ? null : Math.max(0, Math.floor((now - lastHeartbeatAt) / 1000));
}

export function toStationView(
  station: Station,
  now: number,
  policy: Pick<DomainPolicy, 'heartbeatTimeoutMs'>,
  liveSession: LiveSessionRef | null = null,
): StationView {
  return {
    id: station.id,
    name: station.name,
    mac: station.mac,
    ip: station.ip,
    state: station.state,
    stateReason: station.state_reason,
    online: isStationOnline(station.last_heartbeat_at, now, policy.heartbeatTimeoutMs),
    lastHeartbeatAt: station.last_heartbeat_at,
    secondsSinceHeartbeat: secondsSinceHeartbeat(station.last_heartbeat_at, now),
    agentVersion: station.agent_version,
    createdAt: station.created_at,
    updatedAt: station.updated_at,
    liveSession,
  };
}
