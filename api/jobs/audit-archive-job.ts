import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { chainAnchor } from '../audit/audit-chain-anchor.ts';
import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import type { Db } from '../db/schema.ts';
import { inTransaction, reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DomainError } from '../shared/errors.ts';
import { localDate } from '../shared/zoned-time.ts';
import { checkArchiveFile, type ArchiveCheck } from './archive-check.ts';
import { archiveFileName } from './archive-format.ts';
import { archiveCutoff, planArchive, type ArchivePlan } from './archive-plan.ts';
import { writeArchiveFile } from './archive-writer.ts';
import type { JobDeps } from './job-types.ts';

export interface AuditArchiveResult {
  /** Events moved out of the database by this run (0: nothing old enough). */
  archived: number;
  /** Events older than this instant (start of a local month) were due. */
  cutoff: string;
  fromId?: number;
  toId?: number;
  file?: string;
  bytes?: number;
  fileSha256?: string;
}

function archiveRefused(fr: string, en: string, details: Record<string, unknown>): DomainError {
  return new DomainError('AUDIT_ARCHIVE_REFUSED', 'conflict', { fr: `Archivage refusé : ${fr}`, en: `Archive refused: ${en}` }, { details });
}

async function nextPrevHash(db: Db, toId: number): Promise<string | undefined> {
  const row = await reading(() => db.selectFrom('audit_events').select('prev_hash').where('id', '>', toId).orderBy('id').limit(1).executeTakeFirst());
  return row?.prev_hash;
}

/** The written file must prove the plan's chain, and the events left in the table must link to its end. */
type ArchiveCheckOk = Extract<ArchiveCheck, { ok: true }> & { fileName: string };

async function verifyWritten(db: Db, plan: ArchivePlan, path: string): Promise<ArchiveCheckOk> {
  const check = await checkArchiveFile(path);
  if (!check.ok) throw archiveRefused(`le fichier relu ne se vérifie pas (${check.problem}).`, `the file read back does not verify (${check.problem}).`, { ...check });
  const h = check.header;
  if (h.fromId !== plan.fromId || h.toId !== plan.toId || h.count !== plan.count || h.firstPrevHash !== plan.firstPrevHash || h.lastHash !== plan.lastHash) {
    throw archiveRefused('le fichier ne couvre pas la plage prévue.', 'the file does not cover the planned range.', { fromId: h.fromId, toId: h.toId });
  }
  if ((await nextPrevHash(db, plan.toId)) !== h.lastHash) {
    throw archiveRefused('le premier événement restant ne suit pas l’archive.', 'the first remaining event does not link to the archive.', { toId: plan.toId });
  }
  return { ...check, fileName: basename(path) };
}

/**
 * One transaction: the audit_archives row (the database checks it against the
 * chain and only then lets the rows go), the delete, and the audit.archived event.
 */
async function commitArchive(ctx: DomainContext, actor: Actor, plan: ArchivePlan, check: ArchiveCheckOk, now: number): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    await trx
      .insertInto('audit_archives')
      .values({
        from_id: plan.fromId,
        to_id: plan.toId,
        event_count: plan.count,
        first_prev_hash: plan.firstPrevHash,
        last_hash: plan.lastHash,
        from_occurred_at: plan.fromOccurredAt,
        to_occurred_at: plan.toOccurredAt,
        file_name: check.fileName,
        content_sha256: check.header.contentSha256,
        file_sha256: check.fileSha256,
        file_bytes: check.bytes,
        created_at: now,
        verified_at: ctx.clock.now(),
      })
      .execute();
    await trx.deleteFrom('audit_events').where('id', '>=', plan.fromId).where('id', '<=', plan.toId).execute();
    await appendAudit(trx, ctx.clock, {
      actor,
      action: 'audit.archived',
      target: { type: 'audit', id: null },
      metadata: { fromId: plan.fromId, toId: plan.toId, count: plan.count, file: check.fileName, fileSha256: check.fileSha256, bytes: check.bytes, cutoff: new Date(plan.cutoff).toISOString() },
    });
  });
}

/**
 * Monthly archive (the seed's archive_old_logs): audit events older than
 * `afterMonths` whole local months go to a gzip NDJSON file in the archive
 * directory that carries their hash chain. The file is written atomically,
 * read back and verified, and its end checked against the first event left in
 * the database, before the rows are deleted, in one transaction with the
 * audit_archives row that the database requires for such a delete and one
 * audit.archived event. Any failure removes the file and deletes nothing.
 */
export async function auditArchiveJob({ ctx, now, actor, archive }: Pick<JobDeps, 'ctx' | 'now' | 'actor' | 'archive'>): Promise<AuditArchiveResult> {
  const tz = ctx.policy.timeZone;
  const cutoff = new Date(archiveCutoff(now, tz, archive.afterMonths)).toISOString();
  const plan = await planArchive(ctx.db, now, tz, archive.afterMonths);
  if (plan === null) return { archived: 0, cutoff };
  const anchor = await chainAnchor(ctx.db);
  if (plan.firstPrevHash !== anchor.hash) {
    throw archiveRefused('le plus ancien événement ne suit pas la dernière archive.', 'the oldest event does not link to the last archive.', { fromId: plan.fromId });
  }
  const name = archiveFileName(plan.fromId, plan.toId, localDate(plan.fromOccurredAt, tz), localDate(plan.toOccurredAt, tz));
  const { path } = await writeArchiveFile(ctx.db, plan, archive.dir, name, now);
  try {
    const check = await verifyWritten(ctx.db, plan, path);
    await commitArchive(ctx, actor, plan, check, now);
    return { archived: plan.count, cutoff, fromId: plan.fromId, toId: plan.toId, file: check.fileName, bytes: check.bytes, fileSha256: check.fileSha256 };
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
}
