import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-actions.ts';
import type { AuditEventRow } from '../audit/audit-table.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { FakeClock } from '../shared/clock.ts';
import { conflict } from '../shared/errors.ts';
import { createTestDb } from '../testing/test-db.ts';
import { onCommitted } from './commit-feed.ts';
import type { Database } from './schema.ts';
import { inTransaction } from './transaction.ts';

let db: Kysely<Database>;
const clock = new FakeClock();
let seen: string[][];
let stop: () => void;

beforeEach(async () => {
  db = await createTestDb();
  seen = [];
  stop = onCommitted(db, (rows: readonly AuditEventRow[]) => seen.push(rows.map((r) => r.action)));
});
afterEach(async () => {
  stop();
  await db.destroy();
});

describe('commit feed', () => {
  it('publishes the events of a transaction once, after it commits', async () => {
    await inTransaction(db, async (trx) => {
      await appendAudit(trx, clock, { actor: systemActor, action: 'session.started' });
      await appendAudit(trx, clock, { actor: systemActor, action: 'session.time_added' });
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual([['session.started', 'session.time_added']]);
  });

  it('publishes nothing for a rolled back transaction', async () => {
    await expect(
      inTransaction(db, async (trx) => {
        await appendAudit(trx, clock, { actor: systemActor, action: 'session.started' });
        throw conflict('NOPE', 'non', 'no');
      }),
    ).rejects.toMatchObject({ code: 'NOPE' });
    expect(seen).toEqual([]);
  });

  it('publishes an event written outside a transaction at once', async () => {
    await appendAudit(db, clock, { actor: systemActor, action: 'system.started' });
    expect(seen).toEqual([['system.started']]);
  });

  it('keeps a failing listener from failing the change, and stops after unsubscribe', async () => {
    const off = onCommitted(db, () => {
      throw new Error('listener bug');
    });
    await inTransaction(db, (trx) => appendAudit(trx, clock, { actor: systemActor, action: 'settings.changed' }));
    off();
    stop();
    await inTransaction(db, (trx) => appendAudit(trx, clock, { actor: systemActor, action: 'settings.changed' }));
    expect(seen).toEqual([['settings.changed']]);
  });
});
