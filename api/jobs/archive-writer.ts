import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { AuditEventRow } from '../audit/audit-table.ts';
import type { Db } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import { ARCHIVE_FORMAT, ARCHIVE_VERSION, eventLine, type ArchiveHeader } from './archive-format.ts';
import type { ArchivePlan } from './archive-plan.ts';

const PAGE = 2000;

/** Events of [fromId, toId] in id order, one keyset page at a time so memory stays flat. */
export async function* pagesInRange(db: Db, fromId: number, toId: number): AsyncGenerator<AuditEventRow[]> {
  let after = fromId - 1;
  for (;;) {
    const rows = await reading(() => db.selectFrom('audit_events').selectAll().where('id', '>', after).where('id', '<=', toId).orderBy('id').limit(PAGE).execute());
    if (rows.length > 0) yield rows;
    if (rows.length < PAGE) return;
    after = Number(rows[rows.length - 1]!.id);
  }
}

/** The lines of one page, as one string: one stream chunk per page, not per event. */
const pageText = (rows: AuditEventRow[]): string => rows.map(eventLine).join('');

async function contentDigest(db: Db, plan: ArchivePlan): Promise<string> {
  const hash = createHash('sha256');
  let count = 0;
  for await (const rows of pagesInRange(db, plan.fromId, plan.toId)) {
    hash.update(pageText(rows));
    count += rows.length;
  }
  // The range cannot shrink (events are append-only) but say so if it ever did.
  if (count !== plan.count) throw new Error(`audit archive: expected ${plan.count} events in ${plan.fromId}-${plan.toId}, read ${count}`);
  return hash.digest('hex');
}

export function archiveHeader(plan: ArchivePlan, contentSha256: string, createdAt: number): ArchiveHeader {
  return {
    format: ARCHIVE_FORMAT,
    version: ARCHIVE_VERSION,
    fromId: plan.fromId,
    toId: plan.toId,
    count: plan.count,
    fromOccurredAt: new Date(plan.fromOccurredAt).toISOString(),
    toOccurredAt: new Date(plan.toOccurredAt).toISOString(),
    firstPrevHash: plan.firstPrevHash,
    lastHash: plan.lastHash,
    contentSha256,
    createdAt: new Date(createdAt).toISOString(),
  };
}

async function fsyncPath(path: string, flags: string): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes the plan's events to `<dir>/<fileName>` atomically: two passes over
 * the rows (the header carries the digest of the lines that follow it), a
 * temporary file, fsync, rename, fsync of the directory. A crash leaves
 * either no file or the whole file, never half of one under the final name.
 */
export async function writeArchiveFile(db: Db, plan: ArchivePlan, dir: string, fileName: string, createdAt: number): Promise<{ path: string; header: ArchiveHeader }> {
  await mkdir(dir, { recursive: true, mode: 0o750 });
  const header = archiveHeader(plan, await contentDigest(db, plan), createdAt);
  const path = join(dir, fileName);
  const tmp = join(dir, `.${fileName}.${randomBytes(6).toString('hex')}.tmp`);
  async function* lines(): AsyncGenerator<string> {
    yield `${JSON.stringify(header)}\n`;
    for await (const rows of pagesInRange(db, plan.fromId, plan.toId)) yield pageText(rows);
  }
  try {
    await pipeline(Readable.from(lines()), createGzip(), createWriteStream(tmp, { mode: 0o640 }));
    await fsyncPath(tmp, 'r+');
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await fsyncPath(dir, 'r');
  return { path, header };
}
