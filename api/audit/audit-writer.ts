import { noteCommitted } from '../db/commit-feed.ts';
import type { DbOrTx } from '../db/schema.ts';
import type { Clock } from '../shared/clock.ts';
import type { Actor, AuditAction, TargetType } from './audit-actions.ts';
import { GENESIS_HASH, hashEvent } from './audit-hash.ts';
import type { AuditEventRow } from './audit-table.ts';

export interface AuditEntry {
  actor: Actor;
  action: AuditAction;
  target?: { type: TargetType; id: number | null };
  /** Ids and figures only: this outlives anonymisation. */
  metadata?: Record<string, unknown>;
}

/**
 * Appends one event to the chain. Call it inside the transaction of the change
 * it records. On SQLite the single connection serialises writers, so reading
 * the chain head then inserting cannot interleave with another append.
 */
export async function appendAudit(trx: DbOrTx, clock: Clock, entry: AuditEntry): Promise<AuditEventRow> {
  const head = await trx.selectFrom('audit_events').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const fields = {
    occurred_at: clock.now(),
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    action: entry.action,
    target_type: entry.target?.type ?? null,
    target_id: entry.target?.id ?? null,
    metadata: JSON.stringify(entry.metadata ?? {}),
    prev_hash: head?.hash ?? GENESIS_HASH,
  };
  const row = await trx
    .insertInto('audit_events')
    .values({ ...fields, hash: hashEvent(fields) })
    .returningAll()
    .executeTakeFirstOrThrow();
  noteCommitted(trx, row);
  return row;
}
