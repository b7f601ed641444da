// Test helpers for statistics (imported by *.test.ts only): rows written directly.
import type { Db } from '../db/schema.ts';
import type { EndReason, SessionStatus } from '../sessions/sessions-table.ts';

export const MIN = 60_000;

export async function addVisitors(db: Db, count: number): Promise<number[]> {
  const rows = await db
    .insertInto('users')
    .values(Array.from({ length: count }, () => ({ first_name: 'V', last_name: 'V', created_at: 0, updated_at: 0 })))
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export async function addStations(db: Db, count: number): Promise<number[]> {
  const rows = await db
    .insertInto('stations')
    .values(
      Array.from({ length: count }, (_, i) => ({
        name: `Poste ${i + 1}`,
        mac: `52:54:00:00:${String(Math.floor(i / 100)).padStart(2, '0')}:${String(i % 100).padStart(2, '0')}`,
        ip: null,
        state: 'available' as const,
        state_reason: null,
        last_heartbeat_at: null,
        agent_version: null,
        deleted_at: null,
        created_at: 0,
        updated_at: 0,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

export interface SessionSpec {
  user: number;
  station?: number | null;
  status?: SessionStatus;
  endReason?: EndReason | null;
  startedAt?: number | null;
  endedAt?: number | null;
  suspendedAt?: number | null;
  endsAt?: number | null;
  allottedMin?: number;
  remainingMin?: number | null;
  createdAt?: number;
}

let codeCounter = 0;

/** An ended, expired session by default: allotted fully used between startedAt and endedAt. */
export function sessionRow(spec: SessionSpec) {
  const status = spec.status ?? 'ended';
  const createdAt = spec.createdAt ?? spec.startedAt ?? 0;
  codeCounter += 1;
  return {
    code: `S${codeCounter}`,
    user_id: spec.user,
    bound_station_id: null,
    station_id: spec.station ?? null,
    station_ip: null,
    status,
    end_reason: spec.endReason === undefined ? (status === 'ended' ? ('expired' as const) : null) : spec.endReason,
    allotted_ms: (spec.allottedMin ?? 60) * MIN,
    remaining_ms: spec.remainingMin === undefined ? (status === 'active' ? null : 0) : spec.remainingMin === null ? null : spec.remainingMin * MIN,
    ends_at: spec.endsAt ?? null,
    code_expires_at: createdAt + 86_400_000,
    created_at: createdAt,
    started_at: spec.startedAt ?? null,
    suspended_at: spec.suspendedAt ?? null,
    ended_at: spec.endedAt ?? null,
    created_by: null,
    updated_at: createdAt,
  };
}

export async function addSessions(db: Db, specs: SessionSpec[]): Promise<void> {
  for (let i = 0; i < specs.length; i += 500) {
    await db.insertInto('sessions').values(specs.slice(i, i + 500).map(sessionRow)).execute();
  }
}
