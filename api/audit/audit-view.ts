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
  // A row changed behind our back still lists (verify() will name it): metadata that is not a
  // JSON object (appendAudit always writes one) shows as unreadable rather than as whatever it holds.
  let metadata: Record<string, unknown> = { unreadable: true };
  try {
    const parsed = JSON.parse(row.metadata) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) metadata = parsed as Record<string, unknown>;
  } catch {
    // Not JSON at all: unreadable as well.
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
