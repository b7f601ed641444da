import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * Ranges of audit events moved to a compressed NDJSON file and verified before
 * they were deleted. The database only lets an event be deleted when a row
 * here covers it, and only accepts a row that matches the chain (migration
 * 003). The last archive's last_hash is where the chain left in the table
 * starts.
 */
export interface AuditArchivesTable {
  id: Generated<number>;
  from_id: number;
  to_id: number;
  event_count: number;
  /** prev_hash of the first archived event: the previous archive's last_hash, or the genesis hash. */
  first_prev_hash: string;
  /** hash of the last archived event: the prev_hash of the first event still in the table. */
  last_hash: string;
  from_occurred_at: number;
  to_occurred_at: number;
  /** File name inside <dataDir>/archive. */
  file_name: string;
  /** sha256 of the event lines (decompressed), as written in the file's header. */
  content_sha256: string;
  /** sha256 of the compressed file as written. */
  file_sha256: string;
  file_bytes: number;
  created_at: number;
  verified_at: number;
}

export type AuditArchiveRow = Selectable<AuditArchivesTable>;
export type NewAuditArchiveRow = Insertable<AuditArchivesTable>;
