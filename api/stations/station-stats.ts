import { sql } from 'kysely';
import { reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { statsReport, type PeriodInput } from '../stats/stats-report.ts';
import { isStationOnline } from './station-view.ts';
import { liveSessionsFor } from './stations-repository.ts';
import { STATION_STATES, type StationState } from './stations-table.ts';

export interface StationUsage {
  stationId: number;
  name: string | null;
  /** Null for a deleted station (listed only when it was used in the period). */
  state: StationState | null;
  online: boolean;
  deleted: boolean;
  sessions: number;
  minutesUsed: number;
  /** Used time / period length, 0–1. */
  occupancy: number;
}

/** The seed's "postes/stats": the fleet now, and each station's use over a period. */
export interface StationFleetStats {
  computedAt: number;
  /** Stations not deleted. */
  total: number;
  byState: Record<StationState, number>;
  online: number;
  offline: number;
  /** Available, online and free: where a visitor can sit now. */
  availableNow: number;
  /** Stations with a session running (active or suspended). */
  inSessionNow: number;
  period: { from: number; to: number; timeZone: string };
  /** Every station, by name, then deleted ones that were used in the period. */
  perStation: StationUsage[];
}

/**
 * Counts by state and online flag at `now`, plus per-station use over the
 * period (today by default) from the statistics module. Stations never used
 * in the period appear with zeros.
 */
export async function stationFleetStats(ctx: DomainContext, input: PeriodInput = {}): Promise<StationFleetStats> {
  const report = await statsReport(ctx, input);
  const now = ctx.clock.now();
  const { stations, live } = await reading(async () => {
    const rows = await ctx.db.selectFrom('stations').select(['id', 'name', 'state', 'last_heartbeat_at']).where('deleted_at', 'is', null).orderBy(sql`lower(name)`).orderBy('id').execute();
    return { stations: rows, live: await liveSessionsFor(ctx.db, rows.map((s) => s.id), now) };
  });
  const byState = Object.fromEntries(STATION_STATES.map((s) => [s, 0])) as Record<StationState, number>;
  const usage = new Map(report.perStation.map((s) => [s.stationId, s]));
  let online = 0;
  let availableNow = 0;
  const perStation: StationUsage[] = stations.map((s) => {
    const isOnline = isStationOnline(s.last_heartbeat_at, now, ctx.policy.heartbeatTimeoutMs);
    byState[s.state] += 1;
    if (isOnline) online += 1;
    if (isOnline && s.state === 'available' && !live.has(s.id)) availableNow += 1;
    const used = usage.get(s.id);
    return { stationId: s.id, name: s.name, state: s.state, online: isOnline, deleted: false, sessions: used?.sessions ?? 0, minutesUsed: used?.minutesUsed ?? 0, occupancy: used?.occupancy ?? 0 };
  });
  for (const used of report.perStation) {
    if (used.deleted || used.name === null) {
      perStation.push({ stationId: used.stationId, name: used.name, state: null, online: false, deleted: true, sessions: used.sessions, minutesUsed: used.minutesUsed, occupancy: used.occupancy });
    }
  }
  const { from, to, timeZone } = report.period;
  return { computedAt: now, total: stations.length, byState, online, offline: stations.length - online, availableNow, inSessionNow: live.size, period: { from, to, timeZone }, perStation };
}
