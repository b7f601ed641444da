import { systemActor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import type { DbOrTx } from '../db/schema.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { macSuffix, normaliseMac } from './mac-address.ts';
import { normaliseStationIp } from './station-fields.ts';
import { toStationView, type StationView } from './station-view.ts';
import { findHolder, findStationByMac, insertStation, liveSessionFor, stationTransaction } from './stations-repository.ts';

export interface SeenMacInput {
  /** As the boot request carried it (any common notation). */
  mac: string;
  /** Site policy (setting stations.autoApprove): true makes a new station available at once. */
  autoApprove: boolean;
  /** Address the station booted with, if known; dropped when another station holds it. */
  ip?: string | null;
}

export interface EnrollmentResult {
  station: StationView;
  /** False when the MAC was already known: nothing was written. */
  created: boolean;
}

/** `poste-ddeeff`, or `poste-ddeeff-2`… when an admin already used that name. */
async function freeName(trx: DbOrTx, mac: string): Promise<string> {
  const base = `poste-${macSuffix(mac)}`;
  for (let n = 1; n < 100; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if ((await findHolder(trx, 'name', name)) === undefined) return name;
  }
  return `poste-${mac.replaceAll(':', '')}`;
}

/**
 * Netboot saw a MAC: an unknown one becomes a new station (pending approval,
 * or available when the site auto-approves), a known one is left as it is.
 * Idempotent, so every boot of every station may call it.
 */
export async function registerSeenMac(ctx: DomainContext, input: SeenMacInput): Promise<EnrollmentResult> {
  const mac = normaliseMac(input.mac);
  const reportedIp = normaliseStationIp(input.ip);
  const now = ctx.clock.now();
  return stationTransaction(ctx.db, async (trx) => {
    const known = await findStationByMac(trx, mac);
    if (known !== undefined) {
      return { station: toStationView(known, now, ctx.policy, await liveSessionFor(trx, known.id, now)), created: false };
    }
    const ip = reportedIp !== null && (await findHolder(trx, 'ip', reportedIp)) === undefined ? reportedIp : null;
    const state = input.autoApprove ? 'available' : 'pending';
    const row = await insertStation(trx, {
      name: await freeName(trx, mac),
      mac,
      ip,
      state,
      state_reason: null,
      last_heartbeat_at: null,
      agent_version: null,
      deleted_at: null,
      created_at: now,
      updated_at: now,
    });
    await appendAudit(trx, ctx.clock, {
      actor: systemActor,
      action: 'station.enrolled',
      target: { type: 'station', id: row.id },
      metadata: { name: row.name, mac, ip, state, autoApproved: input.autoApprove },
    });
    return { station: toStationView(row, now, ctx.policy, null), created: true };
  });
}
