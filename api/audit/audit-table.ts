import type { Generated, Insertable, Selectable } from 'kysely';
import type { ActorType, AuditAction, TargetType } from './audit-actions.ts';

/**
 * Append-only, hash-chained. There is no Updateable type on purpose: no code
 * path may change or delete an event (database triggers refuse it as well).
 */
export interface AuditEventsTable {
  id: Generated<number>;
  occurred_at: number;
  actor_type: ActorType;
  actor_id: number | null;
  action: AuditAction;
  target_type: TargetType | null;
  target_id: number | null;
  /** JSON text; ids and figures only, never personal data (it outlives anonymisation). */
  metadata: string;
  /** Hex sha256 of the previous event (64 zeros for the first). */
  prev_hash: string;
  /** Hex sha256 of this event's canonical form, including prev_hash. */
  hash: string;
}

export type AuditEventRow = Selectable<AuditEventsTable>;
export type NewAuditEventRow = Insertable<AuditEventsTable>;
