import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import type { Actor } from './audit-actions.ts';
import { verifyAuditChainFromAnchor } from './audit-chain-anchor.ts';
import type { ChainReport } from './audit-verify.ts';
import { appendAudit } from './audit-writer.ts';

/** Verifies the chain (from the last archive on), then records who checked and what was found. */
export async function recordChainCheck(ctx: Pick<DomainContext, 'db' | 'clock'>, actor: Actor): Promise<ChainReport> {
  const report = await verifyAuditChainFromAnchor(ctx.db);
  await inTransaction(ctx.db, (trx) =>
    appendAudit(trx, ctx.clock, { actor, action: 'audit.verified', target: { type: 'audit', id: null }, metadata: { ...report } }),
  );
  return report;
}
