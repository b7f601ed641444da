import type { Db } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import { GENESIS_HASH, hashEvent } from './audit-hash.ts';

export type ChainReport =
  | { ok: true; checked: number; lastHash: string }
  | { ok: false; checked: number; brokenAt: number; reason: 'hash_mismatch' | 'prev_hash_mismatch' };

/**
 * Walks the chain in id order, in pages so memory stays flat, and reports the
 * first event whose content or link does not match. `fromHash` lets a check
 * start after an archived prefix.
 */
export async function verifyAuditChain(db: Db, options: { pageSize?: number; fromHash?: string } = {}): Promise<ChainReport> {
  const pageSize = options.pageSize ?? 5000;
  let expectedPrev = options.fromHash ?? GENESIS_HASH;
  let afterId = 0;
  let checked = 0;
  for (;;) {
    const page = await reading(() =>
      db.selectFrom('audit_events').selectAll().where('id', '>', afterId).orderBy('id').limit(pageSize).execute(),
    );
    for (const row of page) {
      if (row.prev_hash !== expectedPrev) return { ok: false, checked, brokenAt: row.id, reason: 'prev_hash_mismatch' };
      if (hashEvent(row) !== row.hash) return { ok: false, checked, brokenAt: row.id, reason: 'hash_mismatch' };
      expectedPrev = row.hash;
      afterId = row.id;
      checked += 1;
    }
    if (page.length < pageSize) return { ok: true, checked, lastHash: expectedPrev };
  }
}
