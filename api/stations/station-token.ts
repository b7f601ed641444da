import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { storeStationToken } from '../auth/auth-service.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { requireStation, stationTransaction } from './stations-repository.ts';

export interface IssuedStationToken {
  stationId: number;
  /** `st_…`: shown once, stored only as its SHA-256. */
  token: string;
  issuedAt: number;
  /** Earlier tokens of the station revoked by this issue (0 or 1). */
  revokedPrevious: number;
}

/**
 * An admin issues (or re-issues) a station's credential by hand, until
 * netboot enrollment does it: the previous token stops working at once. The
 * token is stored in one transaction with the audit event, and only for a
 * station that exists.
 */
export async function issueStationCredential(ctx: Pick<DomainContext, 'db' | 'clock'>, actor: Actor, stationId: number): Promise<IssuedStationToken> {
  const now = ctx.clock.now();
  return stationTransaction(ctx.db, async (trx) => {
    await requireStation(trx, stationId);
    const { token, revokedPrevious } = await storeStationToken(trx, stationId, now);
    await appendAudit(trx, ctx.clock, { actor, action: 'station.updated', target: { type: 'station', id: stationId }, metadata: { token: 'issued', revokedPrevious } });
    return { stationId, token, issuedAt: now, revokedPrevious };
  });
}
