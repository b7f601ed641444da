import type { Db, DbOrTx } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import { GENESIS_HASH } from './audit-hash.ts';
import { verifyAuditChain, type ChainReport } from './audit-verify.ts';

/** Where the chain kept in the table starts: after the last verified archive, or at the genesis hash. */
export interface ChainAnchor {
  /** prev_hash the first event in the table must carry. */
  hash: string;
  /** Last archived event id; 0 when nothing was archived. */
  archivedThroughId: number;
}

export async function chainAnchor(db: DbOrTx): Promise<ChainAnchor> {
  const last = await reading(() =>
    db.selectFrom('audit_archives').select(['to_id', 'last_hash']).orderBy('to_id', 'desc').limit(1).executeTakeFirst(),
  );
  return last === undefined ? { hash: GENESIS_HASH, archivedThroughId: 0 } : { hash: last.last_hash, archivedThroughId: Number(last.to_id) };
}

/**
 * Verifies the events still in the table, starting from the last archive's
 * last hash: archived events left the table, the link to them did not. With
 * no archive it is exactly verifyAuditChain from the genesis hash.
 */
export async function verifyAuditChainFromAnchor(db: Db, options: { pageSize?: number } = {}): Promise<ChainReport> {
  const anchor = await chainAnchor(db);
  return verifyAuditChain(db, { ...options, fromHash: anchor.hash });
}
