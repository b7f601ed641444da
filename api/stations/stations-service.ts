import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { normaliseMac } from './mac-address.ts';
import { sessionRunning } from './station-errors.ts';
import { normaliseStationIp, normaliseStationName } from './station-fields.ts';
import { toStationView, type StationView } from './station-view.ts';
import { assertUnique, insertStation, liveSessionFor, requireStation, stationTransaction, updateStationRow } from './stations-repository.ts';
import type { Station } from './stations-table.ts';

export interface NewStationInput {
  name: string;
  /** Any common notation; stored as aa:bb:cc:dd:ee:ff. */
  mac: string;
  /** IPv4; null or absent when not known yet (the heartbeat fills it in). */
  ip?: string | null;
}

/** Fields to change; absent means unchanged, `ip: null` clears the IP. */
export interface StationPatch {
  name?: string;
  mac?: string;
  ip?: string | null;
}

/** An admin adds a station by hand: it is approved, so it starts available. */
export async function createStation(ctx: DomainContext, actor: Actor, input: NewStationInput): Promise<StationView> {
  const name = normaliseStationName(input.name);
  const mac = normaliseMac(input.mac);
  const ip = normaliseStationIp(input.ip);
  const now = ctx.clock.now();
  const station = await stationTransaction(ctx.db, async (trx) => {
    await assertUnique(trx, { name, mac, ip });
    const row = await insertStation(trx, {
      name,
      mac,
      ip,
      state: 'available',
      state_reason: null,
      last_heartbeat_at: null,
      agent_version: null,
      deleted_at: null,
      created_at: now,
      updated_at: now,
    });
    await appendAudit(trx, ctx.clock, { actor, action: 'station.created', target: { type: 'station', id: row.id }, metadata: { name, mac, ip, state: row.state } });
    return row;
  });
  return toStationView(station, now, ctx.policy);
}

function normalisePatch(patch: StationPatch): StationPatch {
  const clean: StationPatch = {};
  if (patch.name !== undefined) clean.name = normaliseStationName(patch.name);
  if (patch.mac !== undefined) clean.mac = normaliseMac(patch.mac);
  if (patch.ip !== undefined) clean.ip = normaliseStationIp(patch.ip);
  return clean;
}

function changesOf(station: Station, patch: StationPatch): Record<string, { from: string | null; to: string | null }> {
  const changes: Record<string, { from: string | null; to: string | null }> = {};
  for (const field of ['name', 'mac', 'ip'] as const) {
    const to = patch[field];
    if (to !== undefined && to !== station[field]) changes[field] = { from: station[field], to };
  }
  return changes;
}

/** Renames, re-addresses (NIC replaced) or re-numbers a station; a patch that changes nothing writes nothing. */
export async function updateStation(ctx: DomainContext, actor: Actor, id: number, patch: StationPatch): Promise<StationView> {
  const clean = normalisePatch(patch);
  const now = ctx.clock.now();
  return stationTransaction(ctx.db, async (trx) => {
    let station = await requireStation(trx, id);
    const changes = changesOf(station, clean);
    if (Object.keys(changes).length > 0) {
      const values = Object.fromEntries(Object.entries(changes).map(([field, change]) => [field, change.to]));
      await assertUnique(trx, values, id);
      station = await updateStationRow(trx, id, { ...values, updated_at: now });
      await appendAudit(trx, ctx.clock, { actor, action: 'station.updated', target: { type: 'station', id }, metadata: { changes } });
    }
    return toStationView(station, now, ctx.policy, await liveSessionFor(trx, id, now));
  });
}

/** A station that is not deleted, with its running session; STATION_NOT_FOUND otherwise. */
export async function getStation(ctx: DomainContext, id: number): Promise<StationView> {
  const now = ctx.clock.now();
  return reading(async () => {
    const station = await requireStation(ctx.db, id);
    return toStationView(station, now, ctx.policy, await liveSessionFor(ctx.db, id, now));
  });
}

/**
 * Soft delete: sessions (connection records, kept a year) still refer to the
 * row; its name, MAC and IP become free for a new station at once.
 */
export async function deleteStation(ctx: DomainContext, actor: Actor, id: number): Promise<void> {
  const now = ctx.clock.now();
  await stationTransaction(ctx.db, async (trx) => {
    const station = await requireStation(trx, id);
    const live = await liveSessionFor(trx, id, now);
    if (live !== null) throw sessionRunning(id, live.id, 'delete');
    await updateStationRow(trx, id, { deleted_at: now, updated_at: now });
    await appendAudit(trx, ctx.clock, {
      actor,
      action: 'station.deleted',
      target: { type: 'station', id },
      metadata: { name: station.name, mac: station.mac, ip: station.ip, state: station.state },
    });
  });
}
