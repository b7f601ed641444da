import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failingWhen } from '../testing/broken-db.ts';
import { createTestDb } from '../testing/test-db.ts';
import { directReadOf } from './direct-read.ts';
import { hotQuery } from './hot-query.ts';
import type { Database } from './schema.ts';
import { inTransaction } from './transaction.ts';

let db: Kysely<Database>;
beforeEach(async () => {
  db = await createTestDb();
  await db.insertInto('stations').values({ name: 'Poste 1', mac: '52:54:00:00:00:01', ip: null, state: 'available', state_reason: null, last_heartbeat_at: null, agent_version: null, created_at: 1, updated_at: 1 }).execute();
});
afterEach(async () => {
  await db.destroy().catch(() => undefined);
});

const stateOf = hotQuery(1, (h, id: number) => h.selectFrom('stations').select(['id', 'state']).where('id', '=', id));

describe('direct reads (hotQuery on the SQLite handle)', () => {
  it('are offered for the handle openSqlite returned only, never for a transaction or a handle with plugins', async () => {
    expect(directReadOf(db)).toBeDefined();
    expect(directReadOf(db.withPlugin({ transformQuery: (a) => a.node, transformResult: async (a) => a.result }))).toBeUndefined();
    await db.transaction().execute(async (trx) => {
      expect(directReadOf(trx)).toBeUndefined();
    });
  });

  it("never see another caller's uncommitted change: while a transaction is open they wait for it", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let writing!: () => void;
    const written = new Promise<void>((resolve) => (writing = resolve));
    const tx = inTransaction(db, async (trx) => {
      await trx.updateTable('stations').set({ state: 'maintenance' }).where('id', '=', 1).execute();
      writing();
      await held;
    });
    await written;
    const read = stateOf(db, 1);
    let settled = false;
    void read.then(() => (settled = true));
    // A direct read would have answered within this turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    release();
    await tx;
    expect(await read).toEqual([{ id: 1, state: 'maintenance' }]);
  });

  it('see a rolled-back change never, a committed one at once', async () => {
    await expect(inTransaction(db, async (trx) => {
      await trx.updateTable('stations').set({ state: 'offline' }).where('id', '=', 1).execute();
      throw new Error('changed my mind');
    })).rejects.toThrow();
    expect(await stateOf(db, 1)).toEqual([{ id: 1, state: 'available' }]);
    await db.updateTable('stations').set({ state: 'occupied' }).where('id', '=', 1).execute();
    expect(await stateOf(db, 1)).toEqual([{ id: 1, state: 'occupied' }]);
  });

  it('answer like the executor, and a handle with plugins still fails through them', async () => {
    const viaExecutor = await db.executeQuery(db.selectFrom('stations').select(['id', 'state']).where('id', '=', 1).compile());
    expect(await stateOf(db, 1)).toEqual(viaExecutor.rows);
    const failing = failingWhen(db, (node) => node.kind === 'SelectQueryNode');
    await expect(stateOf(failing, 1)).rejects.toThrow(/simulated storage failure/);
  });

  it('fail like the executor once the database is closed, and on a storage error', async () => {
    await sql`alter table stations rename to stations_gone`.execute(db);
    await expect(stateOf(db, 1)).rejects.toThrow(/no such table/);
    await db.destroy();
    await expect(stateOf(db, 1)).rejects.toThrow();
  });
});
