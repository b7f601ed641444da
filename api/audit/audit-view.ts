import { isoInstant } from '../contract/iso-instant.ts';
import type { AuditEventRow } from './audit-table.ts';

export interface AuditEventView {
  id: number;
  occurredAt: string;
  actor: { type: string; id: number | null };
  action: string;
  target: { type: string; id: number | null } | null;
  metadata: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export function toAuditView(row: AuditEventRow): AuditEventView {
  let metadata: Record<string, unknown>;
  try {
    metadata = JSON.parse(row.metadata) as Record<string, unknown>;
  } catch {
    // A row changed behind our back still lists; verify() will name it.
    metadata = { unreadable: true };
  }
  return {
    id: row.id,
    occurredAt: isoInstant(Number(row.occurred_at)),
    actor: { type: row.actor_type, id: row.actor_id },
    action: row.action,
    target: row.target_type === null ? null : { type: row.target_type, id: row.target_id },
    metadata,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
