import { join } from 'node:path';
import { verifyAuditChainFromAnchor } from '../audit/audit-chain-anchor.ts';
import { GENESIS_HASH } from '../audit/audit-hash.ts';
import type { ChainReport } from '../audit/audit-verify.ts';
import type { Db } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import { checkArchiveFile, type ArchiveProblem } from './archive-check.ts';

export interface WholeChainReport {
  ok: boolean;
  /** Archive files checked, oldest first, up to the first bad one. */
  archivesChecked: number;
  archivedEvents: number;
  /** The first archive that failed, if any. */
  badArchive?: { id: number; file: string; problem: ArchiveProblem | 'missing_link' | 'file_changed'; detail: string };
  /** The events still in the database, verified from the last archive's last hash (absent when an archive failed). */
  database?: ChainReport;
}

/**
 * The whole trail, archived and live: every archive file verifies on its own,
 * is the very file recorded (same sha256), follows the previous archive, and
 * the database's chain starts at the last archive's end.
 */
export async function verifyWholeChain(db: Db, archiveDir: string): Promise<WholeChainReport> {
  const archives = await reading(() => db.selectFrom('audit_archives').selectAll().orderBy('to_id').execute());
  let expected = GENESIS_HASH;
  let archivedEvents = 0;
  for (const [index, a] of archives.entries()) {
    const bad = (problem: NonNullable<WholeChainReport['badArchive']>['problem'], detail: string): WholeChainReport => ({
      ok: false,
      archivesChecked: index,
      archivedEvents,
      badArchive: { id: a.id, file: a.file_name, problem, detail },
    });
    if (a.first_prev_hash !== expected) return bad('missing_link', 'does not follow the previous archive');
    const check = await checkArchiveFile(join(archiveDir, a.file_name));
    if (!check.ok) return bad(check.problem, check.detail);
    if (check.fileSha256 !== a.file_sha256 || check.header.lastHash !== a.last_hash) return bad('file_changed', 'not the file that was recorded');
    expected = a.last_hash;
    archivedEvents += Number(a.event_count);
  }
  const database = await verifyAuditChainFromAnchor(db);
  return { ok: database.ok, archivesChecked: archives.length, archivedEvents, database };
}
