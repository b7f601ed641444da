import type { Db } from '../db/schema.ts';
import { CSV_BOM, csvRow } from '../shared/csv.ts';
import { streamAuditRows, type AuditFilter } from './audit-queries.ts';

const HEADER = ['id', 'occurred_at', 'actor_type', 'actor_id', 'action', 'target_type', 'target_id', 'metadata', 'prev_hash', 'hash'];

/** The audit trail of a period as CSV lines, hashes included so a copy can be checked. */
export async function* auditCsv(db: Db, filter: AuditFilter): AsyncGenerator<string> {
  yield CSV_BOM + csvRow(HEADER);
  for await (const r of streamAuditRows(db, filter)) {
    yield csvRow([r.id, new Date(Number(r.occurred_at)).toISOString(), r.actor_type, r.actor_id, r.action, r.target_type, r.target_id, r.metadata, r.prev_hash, r.hash]);
  }
}
