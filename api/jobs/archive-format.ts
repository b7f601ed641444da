import type { AuditEventRow } from '../audit/audit-table.ts';

/**
 * An audit archive is a gzip file (RFC 1952) of newline-delimited JSON: a
 * header line, then one line per event, in id order, each the full row with
 * its prev_hash and hash. The file alone proves its chain: every line hashes
 * to its `hash`, every `prev_hash` is the line before's `hash`, the first one
 * is the header's firstPrevHash and the last hash is the header's lastHash,
 * which is the prev_hash of the first event left in the database.
 */
export const ARCHIVE_FORMAT = 'epnbox-audit-archive';
export const ARCHIVE_VERSION = 1;

export interface ArchiveHeader {
  format: typeof ARCHIVE_FORMAT;
  version: typeof ARCHIVE_VERSION;
  fromId: number;
  toId: number;
  count: number;
  /** ISO 8601 instants of the first and last events. */
  fromOccurredAt: string;
  toOccurredAt: string;
  firstPrevHash: string;
  lastHash: string;
  /** sha256 (hex) of every event line after the header, each with its "\n". */
  contentSha256: string;
  createdAt: string;
}

/** The columns of audit_events, in a fixed order, under their database names. */
export function eventLine(row: AuditEventRow): string {
  return `${JSON.stringify({
    id: Number(row.id),
    occurred_at: Number(row.occurred_at),
    actor_type: row.actor_type,
    actor_id: row.actor_id === null ? null : Number(row.actor_id),
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id === null ? null : Number(row.target_id),
    metadata: row.metadata,
    prev_hash: row.prev_hash,
    hash: row.hash,
  })}\n`;
}

/** archive file names sort by id range; the local dates are for people. */
export function archiveFileName(fromId: number, toId: number, fromDate: string, toDate: string): string {
  const id = (n: number) => String(n).padStart(10, '0');
  return `audit-${id(fromId)}-${id(toId)}_${fromDate}_${toDate}.ndjson.gz`;
}
