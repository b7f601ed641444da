import { sql } from 'kysely';
import { stationActor, systemActor } from '../audit/audit-actions.ts';
import type { DbOrTx } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { flushHeartbeats, heartbeatBufferOf, isRoutine } from './heartbeat-buffer.ts';
import { findStationHot, liveSessionForHot } from './heartbeat-queries.ts';
import { normaliseAgentVersion, normaliseStationIp } from './station-fields.ts';
import { SILENCE_REASON, writeStationState } from './station-state-change.ts';
import { isStationOnline, toStationView, type StationView } from './station-view.ts';
import { findHolder, findStation, liveSessionFor, requireStation, stationTransaction, updateStationRow } from './stations-repository.ts';
import type { Station, StationUpdate } from './stations-table.ts';
import { nextTurn } from '../shared/next-turn.ts';

export interface HeartbeatInput {
  /** The agent's version; absent keeps the stored one. */
  agentVersion?: string | null;
  /** The address the agent sees on its interface; absent keeps the stored one. */
  ip?: string | null;
}

export interface HeartbeatResult {
  station: StationView;
  /** The station was offline for silence and is back (one station.came_online event). */
  cameOnline: boolean;
  /** The reported IP belongs to another live station: it was not taken over (log it). */
  ipConflictWith: number | null;
}

async function heartbeatPatch(trx: DbOrTx, station: Station, input: HeartbeatInput, now: number) {
  const patch: StationUpdate = { last_heartbeat_at: now };
  if (input.agentVersion !== undefined && input.agentVersion !== null) patch.agent_version = normaliseAgentVersion(input.agentVersion);
  const ip = normaliseStationIp(input.ip);
  let ipConflictWith: number | null = null;
  if (ip !== null && ip !== station.ip) {
    // Two live stations claiming one address is a network fault for a human to
    // sort out; stealing it would make the two rows flap with each heartbeat.
    const holder = await findHolder(trx, 'ip', ip, station.id);
    if (holder === undefined) patch.ip = ip;
    else ipConflictWith = holder.id;
  }
  return { patch, ipConflictWith };
}

/**
 * A station agent says it is alive. Heartbeats are not audited (one every few
 * seconds per station would drown the trail); only a state they cause is.
 * A station offline because of silence comes back: available, or occupied if
 * its session kept running while the box could not hear it.
 */
export async function recordHeartbeat(ctx: DomainContext, stationId: number, input: HeartbeatInput = {}): Promise<HeartbeatResult> {
  const now = ctx.clock.now();
  const plain = await plainHeartbeat(ctx, stationId, input, now);
  if (plain !== undefined) return plain;
  return stationTransaction(ctx.db, async (trx) => {
    let station = await requireStation(trx, stationId);
    const { patch, ipConflictWith } = await heartbeatPatch(trx, station, input, now);
    const silenced = station.state === 'offline' && station.state_reason === SILENCE_REASON;
    station = await updateStationRow(trx, stationId, patch);
    const live = await liveSessionFor(trx, stationId, now);
    if (silenced) {
      station = await writeStationState(trx, ctx.clock, stationActor(stationId), station, {
        to: live === null ? 'available' : 'occupied',
        reason: null,
        action: 'station.came_online',
      });
    }
    return { station: toStationView(station, now, ctx.policy, live), cameOnline: silenced, ipConflictWith };
  });
}

/**
 * The beat of almost every call: same address, same agent version, station
 * not offline for silence. One read; the new last_heartbeat_at waits in the
 * heartbeat buffer (written in batches, see HeartbeatBuffer) when the stored
 * one is recent, otherwise one conditional UPDATE. Anything else (unknown or
 * deleted station, a new address, coming back from silence) returns undefined
 * and takes the full path. Thousands of stations beat every 10 s, so this
 * path is the one the heartbeat benchmark measures.
 */
async function plainHeartbeat(ctx: DomainContext, stationId: number, input: HeartbeatInput, now: number): Promise<HeartbeatResult | undefined> {
  const ip = normaliseStationIp(input.ip);
  const agentVersion = input.agentVersion === undefined || input.agentVersion === null ? undefined : normaliseAgentVersion(input.agentVersion);
  if (!Number.isSafeInteger(stationId)) return undefined;
  const stored = await reading(() => findStationHot(ctx.db, stationId));
  if (stored === undefined || isSilenced(stored) || (ip !== null && ip !== stored.ip)) return undefined;
  let station: Station | undefined;
  if (isRoutine(stored.last_heartbeat_at, now, ctx.policy.heartbeatTimeoutMs) && (agentVersion === undefined || agentVersion === stored.agent_version)) {
    heartbeatBufferOf(ctx.db).note(stationId, now);
    station = { ...stored, last_heartbeat_at: Math.max(now, stored.last_heartbeat_at ?? now) };
  } else {
    station = await writeBeat(ctx, stationId, agentVersion, ip, now);
    if (station === undefined) return undefined;
  }
  // Only an occupied station can hold a running session (manual states are refused while one runs).
  const live = station.state === 'occupied' ? await reading(() => liveSessionForHot(ctx.db, stationId, now)) : null;
  return { station: toStationView(station, now, ctx.policy, live), cameOnline: false, ipConflictWith: null };
}

function isSilenced(station: Pick<Station, 'state' | 'state_reason'>): boolean {
  return station.state === 'offline' && station.state_reason === SILENCE_REASON;
}

/** The beat written at once; undefined when the station changed meanwhile (deleted, silenced, new address). */
async function writeBeat(ctx: DomainContext, stationId: number, agentVersion: string | undefined, ip: string | null, now: number): Promise<Station | undefined> {
  const patch: StationUpdate = { last_heartbeat_at: now };
  if (agentVersion !== undefined) patch.agent_version = agentVersion;
  return reading(() =>
    ctx.db
      .updateTable('stations')
      .set(patch)
      .where('id', '=', stationId)
      .where('deleted_at', 'is', null)
      .where((eb) => eb.not(eb.and([eb('state', '=', 'offline'), eb('state_reason', '=', SILENCE_REASON)])))
      .$if(ip !== null, (q) => q.where('ip', '=', ip))
      .returningAll()
      .executeTakeFirst(),
  );
}

/**
 * Safety sweep for a scheduler: available/occupied stations not heard from
 * for longer than the heartbeat timeout go offline ("no heartbeat"), one
 * transaction and one station.went_offline event each. A station never heard
 * from counts from its creation. Maintenance and pending stations are left
 * alone: their state says more than the silence. Returns the ids changed.
 */
export async function markSilentStationsOffline(ctx: DomainContext, now: number): Promise<number[]> {
  const cutoff = now - ctx.policy.heartbeatTimeoutMs;
  // Beats held in memory count: write them first, so a station that did beat is never swept.
  await reading(() => flushHeartbeats(ctx.db));
  const silentSince = sql<number>`coalesce(last_heartbeat_at, created_at)`;
  const candidates = await reading(() =>
    ctx.db
      .selectFrom('stations')
      .select('id')
      .where('deleted_at', 'is', null)
      .where('state', 'in', ['available', 'occupied'])
      .where(silentSince, '<', cutoff)
      .orderBy('id')
      .execute(),
  );
  const changed: number[] = [];
  for (const [i, { id }] of candidates.entries()) {
    // A room going dark at once (a power cut) must not hold the panel and the beats of the others.
    if (i > 0) await nextTurn();
    const done = await stationTransaction(ctx.db, async (trx) => {
      // Re-read: a heartbeat may have arrived since the candidates were listed.
      const station = await findStation(trx, id);
      if (station === undefined) return false;
      const stillSilent = (station.state === 'available' || station.state === 'occupied') &&
        !isStationOnline(station.last_heartbeat_at ?? station.created_at, now, ctx.policy.heartbeatTimeoutMs);
      if (!stillSilent) return false;
      await writeStationState(trx, ctx.clock, systemActor, station, {
        to: 'offline',
        reason: SILENCE_REASON,
        action: 'station.went_offline',
        metadata: { lastHeartbeatAt: station.last_heartbeat_at },
      });
      return true;
    });
    if (done) changed.push(id);
  }
  return changed;
}
