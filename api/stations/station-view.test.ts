import { describe, expect, it } from 'vitest';
import { isStationOnline, secondsSinceHeartbeat, toStationView } from './station-view.ts';
import type { Station } from './stations-table.ts';

const station: Station = {
  id: 7,
  name: 'Poste 7',
  mac: '52:54:00:00:00:07',
  ip: '192.168.50.7',
  state: 'available',
  state_reason: null,
  last_heartbeat_at: 1_000_000,
  agent_version: '1.2.0',
  deleted_at: null,
  created_at: 10,
  updated_at: 20,
};

describe('station view', () => {
  it('is online up to and including the timeout, offline after', () => {
    expect(isStationOnline(1_000, 31_000, 30_000)).toBe(true);
    expect(isStationOnline(1_000, 31_001, 30_000)).toBe(false);
    expect(isStationOnline(null, 31_000, 30_000)).toBe(false);
  });

  it('counts whole seconds since the heartbeat, null when never heard', () => {
    expect(secondsSinceHeartbeat(1_000, 12_999)).toBe(11);
    expect(secondsSinceHeartbeat(null, 12_999)).toBeNull();
    expect(secondsSinceHeartbeat(5_000, 4_000)).toBe(0);
  });

  it('maps a row with derived fields and the live session', () => {
    const live = { id: 3, userId: 9, status: 'active' as const, startedAt: 900_000, endsAt: 2_000_000, remainingMs: 955_000 };
    const view = toStationView(station, 1_045_000, { heartbeatTimeoutMs: 30_000 }, live);
    expect(view).toEqual({
      id: 7,
      name: 'Poste 7',
      mac: '52:54:00:00:00:07',
      ip: '192.168.50.7',
      state: 'available',
      stateReason: null,
      online: false,
      lastHeartbeatAt: 1_000_000,
      secondsSinceHeartbeat: 45,
      agentVersion: '1.2.0',
      createdAt: 10,
      updatedAt: 20,
      liveSession: live,
    });
    expect(toStationView(station, 1_010_000, { heartbeatTimeoutMs: 30_000 }).online).toBe(true);
    expect(toStationView(station, 1_010_000, { heartbeatTimeoutMs: 30_000 }).liveSession).toBeNull();
  });
});
