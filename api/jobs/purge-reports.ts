import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { inTransaction } from '../db/transaction.ts';
import { deleteReportsEndedBefore } from '../reports/reports-repository.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DAY_MS } from './purge-connection-records.ts';

export interface ReportsPurge {
  retentionDays: number;
  cutoff: number;
  reports: number;
}

/** Daily reports whose day ended more than `retentionDays` ago (figures only, but not kept forever). */
export async function purgeReports(ctx: DomainContext, actor: Actor, now: number, retentionDays: number): Promise<ReportsPurge> {
  const cutoff = now - retentionDays * DAY_MS;
  return inTransaction(ctx.db, async (trx) => {
    const result = { retentionDays, cutoff, reports: await deleteReportsEndedBefore(trx, cutoff) };
    if (result.reports > 0) {
      await appendAudit(trx, ctx.clock, { actor, action: 'data.purged', target: { type: 'system', id: null }, metadata: { dataset: 'reports', ...result } });
    }
    return result;
  });
}
