import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../audit/audit-actions.ts';
import { verifyAuditChainFromAnchor } from '../audit/audit-chain-anchor.ts';
import { recordChainCheck } from '../audit/audit-chain-check.ts';
import { hashEvent, type HashedFields } from '../audit/audit-hash.ts';
import { verifyAuditChain } from '../audit/audit-verify.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { checkArchiveFile } from './archive-check.ts';
import type { ArchiveHeader } from './archive-format.ts';
import { verifyWholeChain } from './archive-verify.ts';
import { auditArchiveJob } from './audit-archive-job.ts';
import { HOUR, addAuditEvents, auditRows, lastEvent, makeJobKit, reunion, type JobKit } from './jobs-test-kit.ts';

/** Changes one event and recomputes every hash after it, the header's last hash and content digest. */
function forgeConsistent(text: string): string {
  const [headerLine, ...eventLines] = text.trim().split('\n');
  const header = JSON.parse(headerLine!) as ArchiveHeader;
  let prev = header.firstPrevHash;
  const events = eventLines.map((line, i) => {
    const e = JSON.parse(line) as Record<string, unknown> & HashedFields;
    if (i === 3) e.metadata = '{"n":-3}';
    e.prev_hash = prev;
    e.hash = hashEvent(e);
    prev = e.hash as string;
    return `${JSON.stringify(e)}\n`;
  });
  const content = events.join('');
  const forged = { ...header, lastHash: prev, contentSha256: createHash('sha256').update(content).digest('hex') };
  return `${JSON.stringify(forged)}\n${content}`;
}

describe('audit archive job', () => {
  let kit: JobKit;
  beforeEach(async () => {
    // 100 events in January-February 2025, 10 in January 2026; the run is on 1 March 2026 (cutoff: 1 March 2025).
    kit = await makeJobKit(reunion('2025-01-15T10:00'));
    await addAuditEvents(kit, 100, 6 * HOUR);
    kit.clock.set(reunion('2026-01-20T10:00'));
    await addAuditEvents(kit, 10, HOUR);
    kit.clock.set(reunion('2026-03-01T01:00'));
  });
  afterEach(async () => {
    await kit.cleanup();
  });

  const archiveFiles = () => (existsSync(kit.env.archive.dir) ? readdirSync(kit.env.archive.dir) : []);
  const deleteEvent = (id: number) => sql`DELETE FROM audit_events WHERE id = ${id}`.execute(kit.db);

  it('moves events older than the cutoff to a file that verifies, then the database chain verifies from the archive’s end', async () => {
    const result = await auditArchiveJob(kit.deps({ actor: operatorActor(3) }));
    expect(result).toMatchObject({ archived: 100, fromId: 1, toId: 100, cutoff: '2025-02-28T20:00:00.000Z', file: 'audit-0000000001-0000000100_2025-01-15_2025-02-09.ndjson.gz' });
    expect(archiveFiles()).toEqual([result.file]);

    const check = await checkArchiveFile(join(kit.env.archive.dir, result.file!));
    expect(check).toMatchObject({ ok: true, bytes: result.bytes, fileSha256: result.fileSha256, header: { fromId: 1, toId: 100, count: 100, firstPrevHash: '0'.repeat(64) } });
    const lines = gunzipSync(readFileSync(join(kit.env.archive.dir, result.file!))).toString('utf8').trim().split('\n');
    expect(lines).toHaveLength(101);
    expect(JSON.parse(lines[1]!)).toMatchObject({ id: 1, action: 'settings.changed', metadata: '{"n":0}' });

    const rows = await auditRows(kit.db);
    expect(rows[0]!.id).toBe(101);
    expect(rows[0]!.prev_hash).toBe(JSON.parse(lines[0]!).lastHash);
    expect(await lastEvent(kit.db)).toMatchObject({ action: 'audit.archived', actor_type: 'operator', actor_id: 3, meta: { fromId: 1, toId: 100, count: 100, file: result.file } });

    expect(await verifyAuditChainFromAnchor(kit.db)).toMatchObject({ ok: true, checked: 11 });
    // From the genesis hash the table alone no longer verifies: the anchor is what links it.
    expect(await verifyAuditChain(kit.db)).toMatchObject({ ok: false, brokenAt: 101, reason: 'prev_hash_mismatch' });
    expect(await recordChainCheck(kit.ctx, operatorActor(3))).toMatchObject({ ok: true, checked: 11 });
    expect(await verifyWholeChain(kit.db, kit.env.archive.dir)).toMatchObject({ ok: true, archivesChecked: 1, archivedEvents: 100, database: { ok: true } });

    expect(await auditArchiveJob(kit.deps())).toEqual({ archived: 0, cutoff: '2025-02-28T20:00:00.000Z' });
  });

  it('chains a second archive to the first and never archives the chain head', async () => {
    await auditArchiveJob(kit.deps());
    kit.clock.set(reunion('2028-01-01T01:00'));
    const head = (await lastEvent(kit.db)).id;
    const second = await auditArchiveJob(kit.deps());
    // Everything is old enough now, but the newest event stays in the table (followed by the new audit.archived).
    expect(second).toMatchObject({ archived: 10, fromId: 101, toId: head - 1 });
    expect((await auditRows(kit.db)).map((r) => r.id)).toEqual([head, head + 1]);
    const report = await verifyWholeChain(kit.db, kit.env.archive.dir);
    expect(report).toMatchObject({ ok: true, archivesChecked: 2, archivedEvents: 100 + second.archived });
    const archives = await kit.db.selectFrom('audit_archives').select(['from_id', 'to_id', 'first_prev_hash', 'last_hash']).orderBy('id').execute();
    expect(archives[1]!.first_prev_hash).toBe(archives[0]!.last_hash);
  });

  it('detects a tampered archive file', async () => {
    const result = await auditArchiveJob(kit.deps());
    const path = join(kit.env.archive.dir, result.file!);
    const original = gunzipSync(readFileSync(path)).toString('utf8');
    const rewrite = (text: string) => writeFileSync(path, gzipSync(Buffer.from(text, 'utf8')));

    rewrite(original.replace('"metadata":"{\\"n\\":5}"', '"metadata":"{\\"n\\":6}"'));
    expect(await checkArchiveFile(path)).toMatchObject({ ok: false, problem: 'hash_mismatch', line: 7 });
    expect(await verifyWholeChain(kit.db, kit.env.archive.dir)).toMatchObject({ ok: false, badArchive: { problem: 'hash_mismatch', file: result.file } });

    const lines = original.split('\n');
    rewrite([...lines.slice(0, 10), ...lines.slice(11)].join('\n'));
    expect(await checkArchiveFile(path)).toMatchObject({ ok: false, problem: 'prev_hash_mismatch', line: 11 });

    rewrite(original.replace('"count":100', '"count":99'));
    expect(await checkArchiveFile(path)).toMatchObject({ ok: false, problem: 'count_mismatch' });

    rewrite(original.replace(/"contentSha256":"[0-9a-f]{64}"/, `"contentSha256":"${'a'.repeat(64)}"`));
    expect(await checkArchiveFile(path)).toMatchObject({ ok: false, problem: 'content_sha256_mismatch' });

    rewrite(`{"format":"something-else"}\n${lines.slice(1).join('\n')}`);
    expect(await checkArchiveFile(path)).toMatchObject({ ok: false, problem: 'bad_header', line: 1 });

    rewrite(original);
    writeFileSync(path, readFileSync(path).subarray(0, 200));
    expect(await checkArchiveFile(path)).toMatchObject({ ok: false, problem: 'unreadable' });

    // A forger who rehashes the whole file makes it consistent on its own; the recorded digest and the link to the table still tell.
    rewrite(forgeConsistent(original));
    expect(await checkArchiveFile(path)).toMatchObject({ ok: true });
    expect(await verifyWholeChain(kit.db, kit.env.archive.dir)).toMatchObject({ ok: false, badArchive: { problem: 'file_changed' } });
  });

  it('lets the database delete only archived events, and refuses an archive row that does not match the chain', async () => {
    await expect(deleteEvent(1)).rejects.toThrow(/append-only/);
    await auditArchiveJob(kit.deps());
    await expect(deleteEvent(101)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE audit_events SET metadata = '{}' WHERE id = 101`.execute(kit.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_archives`.execute(kit.db)).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE audit_archives SET to_id = 105`.execute(kit.db)).rejects.toThrow(/append-only/);
    const fake = (over: Record<string, unknown>) => {
      const row = { from_id: 101, to_id: 105, event_count: 5, first_prev_hash: 'x', last_hash: 'y', from_occurred_at: 0, to_occurred_at: 0, file_name: 'f', content_sha256: 'c', file_sha256: 'f', file_bytes: 1, created_at: 0, verified_at: 0, ...over };
      return kit.db.insertInto('audit_archives').values(row).execute();
    };
    await expect(fake({})).rejects.toThrow(/does not match the audit chain/);
    const head = (await lastEvent(kit.db)).id;
    const rows = await auditRows(kit.db);
    await expect(fake({ to_id: head, event_count: rows.length, first_prev_hash: rows[0]!.prev_hash, last_hash: rows.at(-1)!.hash })).rejects.toThrow(/does not match/);
    expect(await auditRows(kit.db)).toHaveLength(rows.length);
  });

  it('removes its file and deletes nothing when the database transaction fails', async () => {
    const before = (await auditRows(kit.db)).length;
    const ctx = { ...kit.ctx, db: failingWhen(kit.db, insertInto('audit_archives')) };
    await expect(auditArchiveJob({ ...kit.deps(), ctx })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(archiveFiles()).toEqual([]);
    expect(await auditRows(kit.db)).toHaveLength(before);
    expect(await verifyAuditChainFromAnchor(kit.db)).toMatchObject({ ok: true, checked: before });
  });

  it('refuses to archive a chain already broken in the database', async () => {
    await sql`DROP TRIGGER audit_events_no_update`.execute(kit.db);
    await sql`UPDATE audit_events SET metadata = '{"n":-1}' WHERE id = 50`.execute(kit.db);
    await expect(auditArchiveJob(kit.deps())).rejects.toMatchObject({ code: 'AUDIT_ARCHIVE_REFUSED', details: { problem: 'hash_mismatch' } });
    expect(archiveFiles()).toEqual([]);
    expect(await auditRows(kit.db)).toHaveLength(110);
  });
});
