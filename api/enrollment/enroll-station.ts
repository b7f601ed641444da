import type { Transaction } from 'kysely';
import { stationActor, systemActor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { storeStationToken } from '../auth/auth-service.ts';
import type { Database } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { normaliseMac } from '../stations/mac-address.ts';
import { findStation } from '../stations/stations-repository.ts';
import { enrollmentRefused } from './enrollment-errors.ts';
import type { EnrollmentNonceRow } from './enrollment-nonces-table.ts';
import { NONCE_PATTERN, consumeNonce, findNonce } from './enrollment-nonces.ts';

export interface EnrollInput {
  nonce: string;
  /** The MAC the agent reads on its boot interface, any common notation. */
  mac: string;
  /** Caller's address, for the audit trail. */
  ip: string | null;
}

export interface EnrolledStation {
  stationId: number;
  stationName: string;
  /** `st_…`: returned once, stored only as its SHA-256. */
  token: string;
  issuedAt: number;
  /** Earlier tokens of the station revoked by this enrollment (0 or 1). */
  revokedPrevious: number;
}

export type RefusalReason = 'malformed' | 'unknown' | 'replayed' | 'expired' | 'mac_mismatch' | 'station_gone' | 'not_approved';

type Outcome = { ok: true; enrolled: EnrolledStation } | { ok: false; reason: RefusalReason; row: EnrollmentNonceRow | undefined };

function refusalOf(row: EnrollmentNonceRow | undefined, mac: string, now: number): RefusalReason | null {
  if (row === undefined) return 'unknown';
  if (row.used_at !== null) return 'replayed';
  if (row.expires_at <= now) return 'expired';
  if (row.mac !== mac) return 'mac_mismatch';
  return null;
}

async function tryEnroll(trx: Transaction<Database>, input: EnrollInput, mac: string, now: number): Promise<Outcome> {
  if (!NONCE_PATTERN.test(input.nonce)) return { ok: false, reason: 'malformed', row: undefined };
  const row = await findNonce(trx, input.nonce);
  const early = refusalOf(row, mac, now);
  // Any presentation burns the nonce: a nonce seen with the wrong MAC has leaked.
  if (row !== undefined && row.used_at === null) await consumeNonce(trx, row.nonce_hash, now);
  if (early !== null) return { ok: false, reason: early, row };
  const station = await findStation(trx, row!.station_id);
  if (station === undefined) return { ok: false, reason: 'station_gone', row };
  if (station.state === 'pending') return { ok: false, reason: 'not_approved', row };
  // The station's other outstanding nonces are void once one is traded.
  await trx.deleteFrom('enrollment_nonces').where('station_id', '=', station.id).where('used_at', 'is', null).execute();
  const { token, revokedPrevious } = await storeStationToken(trx, station.id, now);
  return { ok: true, enrolled: { stationId: station.id, stationName: station.name, token, issuedAt: now, revokedPrevious } };
}

/**
 * The agent trades the one-time nonce from its kernel command line for the
 * station's token. Refusals (malformed, unknown, replayed, expired, another
 * MAC, station deleted or not approved) all answer ENROLLMENT_REFUSED and are
 * audited as station.enroll_refused with the reason; success revokes the
 * station's previous token and is audited as station.enrolled.
 */
export async function enrollStation(ctx: Pick<DomainContext, 'db' | 'clock'>, input: EnrollInput): Promise<EnrolledStation> {
  const mac = normaliseMac(input.mac);
  const now = ctx.clock.now();
  const outcome = await inTransaction(ctx.db, async (trx): Promise<Outcome> => {
    const result = await tryEnroll(trx, input, mac, now);
    if (result.ok) {
      const { stationId, revokedPrevious } = result.enrolled;
      await appendAudit(trx, ctx.clock, {
        actor: stationActor(stationId),
        action: 'station.enrolled',
        target: { type: 'station', id: stationId },
        metadata: { step: 'token_issued', mac, ip: input.ip, revokedPrevious },
      });
    } else {
      const stationId = result.row?.station_id ?? null;
      await appendAudit(trx, ctx.clock, {
        actor: systemActor,
        action: 'station.enroll_refused',
        target: stationId === null ? undefined : { type: 'station', id: stationId },
        metadata: { reason: result.reason, mac, ip: input.ip, ...(result.reason === 'mac_mismatch' ? { expectedMac: result.row!.mac } : {}) },
      });
    }
    return result;
  });
  if (!outcome.ok) throw enrollmentRefused();
  return outcome.enrolled;
}
