import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import type { Actor } from './audit-actions.ts';
import { verifyAuditChain, type ChainReport } from './audit-verify.ts';
import { appendAudit } from './audit-writer.ts';

/** Verifies the chain, then records who checked and what was found. */
export async function recordChainCheck(ctx: Pick<DomainContext, 'db' | 'clock'>, actor: Actor): Promise<ChainReport> {
  const report = await verifyAuditChain(ctx.db);
  await inTransaction(ctx.db, (trx) =>
    appendAudit(trx, ctx.clock, { actor, action: 'audit.verified', target: { type: 'audit', id: null }, metadata: { ...report } }),
  );
  return report;
}
