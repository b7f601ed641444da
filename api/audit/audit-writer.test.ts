import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../db/open-sqlite.ts';
import { migrateToLatest } from '../db/migrator.ts';
import { inTransaction } from '../db/transaction.ts';
import { createTestDbFile } from '../testing/test-db.ts';
import { FakeClock } from '../shared/clock.ts';
import { operatorActor, systemActor } from './audit-actions.ts';
import { GENESIS_HASH } from './audit-hash.ts';
import { appendAudit } from './audit-writer.ts';
import { verifyAuditChain } from './audit-verify.ts';

describe('audit chain', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function seeded(count: number) {
    const t = await createTestDbFile();
    cleanups.push(t.cleanup);
    const clock = new FakeClock();
    for (let i = 0; i < count; i++) {
      clock.advance(1000);
      await inTransaction(t.db, (trx) =>
        appendAudit(trx, clock, { actor: operatorActor(1 + (i % 2)), action: 'user.updated', target: { type: 'user', id: i }, metadata: { i } }),
      );
    }
    return t;
  }

  it('links each event to the previous one, starting at the genesis hash', async () => {
    const t = await seeded(3);
    const rows = await t.db.selectFrom('audit_events').selectAll().orderBy('id').execute();
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
    expect(rows[2]!.prev_hash).toBe(rows[1]!.hash);
    expect(await verifyAuditChain(t.db, { pageSize: 2 })).toEqual({ ok: true, checked: 3, lastHash: rows[2]!.hash });
  });

  it('verifies an empty trail', async () => {
    const t = await seeded(0);
    expect(await verifyAuditChain(t.db)).toEqual({ ok: true, checked: 0, lastHash: GENESIS_HASH });
  });

  it('refuses UPDATE and DELETE at the database level', async () => {
    const t = await seeded(2);
    const raw = new BetterSqlite3(t.path);
    try {
      expect(() => raw.prepare("update audit_events set metadata = '{}' where id = 1").run()).toThrow(/append-only/);
      expect(() => raw.prepare('delete from audit_events where id = 1').run()).toThrow(/append-only/);
    } finally {
      raw.close();
    }
  });

  it('reports the first tampered row, even when the tamperer bypasses the triggers', async () => {
    const t = await seeded(5);
    const raw = new BetterSqlite3(t.path);
    raw.exec('drop trigger audit_events_no_update');
    raw.prepare(`update audit_events set metadata = '{"i":99}' where id = 3`).run();
    raw.close();
    expect(await verifyAuditChain(t.db, { pageSize: 2 })).toEqual({ ok: false, checked: 2, brokenAt: 3, reason: 'hash_mismatch' });
  });

  it('reports a removed row as a broken link', async () => {
    const t = await seeded(4);
    const raw = new BetterSqlite3(t.path);
    raw.exec('drop trigger audit_events_no_delete');
    raw.prepare('delete from audit_events where id = 2').run();
    raw.close();
    expect(await verifyAuditChain(t.db)).toEqual({ ok: false, checked: 1, brokenAt: 3, reason: 'prev_hash_mismatch' });
  });

  it('a rewritten row with a recomputed hash still breaks the next link', async () => {
    const t = await seeded(3);
    const raw = new BetterSqlite3(t.path);
    raw.exec('drop trigger audit_events_no_update');
    raw.prepare(`update audit_events set hash = '${'f'.repeat(64)}' where id = 2`).run();
    raw.close();
    const report = await verifyAuditChain(t.db);
    expect(report.ok).toBe(false);
    expect(report).toMatchObject({ brokenAt: 2 });
  });

  it('records the system as an actor with no id', async () => {
    const db = openSqlite({ path: ':memory:' });
    await migrateToLatest(db);
    const row = await appendAudit(db, new FakeClock(5), { actor: systemActor, action: 'system.started' });
    expect(row).toMatchObject({ actor_type: 'system', actor_id: null, occurred_at: 5, metadata: '{}' });
    await db.destroy();
  });
});
