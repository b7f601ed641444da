import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DAY_MS } from './purge-connection-records.ts';

export interface AuthRecordsPurge {
  retentionDays: number;
  cutoff: number;
  /** Operator logins that ended (expired or revoked) before the cutoff. */
  authSessions: number;
  /** The refresh tokens of those logins. */
  refreshTokens: number;
  /** Station tokens revoked before the cutoff. */
  stationTokens: number;
}

/**
 * Old credentials: a login that ended `retentionDays` ago is only noise, and a
 * stored token hash that can never be valid again is best gone. The tokens of
 * a login still kept stay, so reuse of a stolen refresh token is recognised
 * for as long as its login lives. One transaction, one data.purged event when
 * something was deleted.
 */
export async function purgeAuthRecords(ctx: DomainContext, actor: Actor, now: number, retentionDays: number): Promise<AuthRecordsPurge> {
  const cutoff = now - retentionDays * DAY_MS;
  return inTransaction(ctx.db, async (trx) => {
    const ended = trx.selectFrom('auth_sessions').select('id').where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('revoked_at', '<', cutoff)]));
    // Explicit, not left to ON DELETE CASCADE: the count is reported, whatever the foreign_keys pragma.
    const tokens = await trx.deleteFrom('refresh_tokens').where('session_id', 'in', ended).executeTakeFirst();
    const sessions = await trx.deleteFrom('auth_sessions').where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('revoked_at', '<', cutoff)])).executeTakeFirst();
    const stationTokens = await trx.deleteFrom('station_tokens').where('revoked_at', '<', cutoff).executeTakeFirst();
    const result = {
      retentionDays,
      cutoff,
      authSessions: Number(sessions.numDeletedRows),
      refreshTokens: Number(tokens.numDeletedRows),
      stationTokens: Number(stationTokens.numDeletedRows),
    };
    if (result.authSessions + result.refreshTokens + result.stationTokens > 0) {
      await appendAudit(trx, ctx.clock, { actor, action: 'data.purged', target: { type: 'system', id: null }, metadata: { dataset: 'auth_records', ...result } });
    }
    return result;
  });
}
