import type { Actor } from '../audit/audit-actions.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { sessionRunning, stationNotPending, stationPending } from './station-errors.ts';
import { normaliseReason } from './station-fields.ts';
import { writeStationState } from './station-state-change.ts';
import { toStationView, type StationView } from './station-view.ts';
import { liveSessionFor, requireStation, stationTransaction } from './stations-repository.ts';

type ManualState = 'available' | 'maintenance' | 'offline';

/**
 * The operator's manual states. Refused while a session runs on the station
 * (the operator ends it first, so a visitor is never cut off by a side effect)
 * and for a pending station (approve it first). Setting the same state with
 * the same reason again changes nothing and writes no event; a new reason is
 * recorded as a state change.
 */
async function setManualState(ctx: DomainContext, actor: Actor, id: number, to: ManualState, reasonInput: string | null | undefined): Promise<StationView> {
  const reason = normaliseReason(reasonInput, to !== 'available');
  const now = ctx.clock.now();
  return stationTransaction(ctx.db, async (trx) => {
    let station = await requireStation(trx, id);
    if (station.state === 'pending') throw stationPending(id);
    const live = await liveSessionFor(trx, id, now);
    if (live !== null) throw sessionRunning(id, live.id, to);
    if (station.state !== to || station.state_reason !== reason) {
      station = await writeStationState(trx, ctx.clock, actor, station, { to, reason });
    }
    return toStationView(station, now, ctx.policy, null);
  });
}

/** Back in service (from maintenance, offline, or a stale "occupied"); the reason is optional. */
export function markAvailable(ctx: DomainContext, actor: Actor, id: number, reason?: string | null): Promise<StationView> {
  return setManualState(ctx, actor, id, 'available', reason);
}

/** Out of service for repairs; reason required. */
export function markMaintenance(ctx: DomainContext, actor: Actor, id: number, reason: string): Promise<StationView> {
  return setManualState(ctx, actor, id, 'maintenance', reason);
}

/**
 * Declared offline by an operator (unplugged, lent out); reason required. A
 * heartbeat does not lift this state, unlike the sweep's "no heartbeat".
 */
export function markOffline(ctx: DomainContext, actor: Actor, id: number, reason: string): Promise<StationView> {
  return setManualState(ctx, actor, id, 'offline', reason);
}

/** An enrolled station (pending) is accepted: it becomes available. */
export async function approveStation(ctx: DomainContext, actor: Actor, id: number): Promise<StationView> {
  const now = ctx.clock.now();
  return stationTransaction(ctx.db, async (trx) => {
    const station = await requireStation(trx, id);
    if (station.state !== 'pending') throw stationNotPending(id, station.state);
    const approved = await writeStationState(trx, ctx.clock, actor, station, { to: 'available', reason: null, action: 'station.approved' });
    return toStationView(approved, now, ctx.policy, null);
  });
}
