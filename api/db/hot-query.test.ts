import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StationState } from '../stations/stations-table.ts';
import { createBrokenDb, failingWhen } from '../testing/broken-db.ts';
import { createTestDb } from '../testing/test-db.ts';
import { hotQuery } from './hot-query.ts';
import type { Database } from './schema.ts';
import { inTransaction } from './transaction.ts';

let db: Kysely<Database>;
beforeEach(async () => {
  db = await createTestDb();
  const now = 1000;
  for (const [name, state] of [['Poste 1', 'available'], ['Poste 2', 'occupied'], ['Poste 3', 'offline']] as const) {
    await db.insertInto('stations').values({ name, mac: `52:54:00:00:00:0${name.slice(-1)}`, ip: null, state, state_reason: null, last_heartbeat_at: null, agent_version: null, created_at: now, updated_at: now }).execute();
  }
});
afterEach(async () => {
  await db.destroy();
});

// A constant equal to an argument's value ('occupied' below) must stay a constant.
const byIdNotState = hotQuery(2, (h, id: number, state: StationState) =>
  h.selectFrom('stations').select(['id', 'name', 'state']).where('id', '=', id).where('state', '!=', state).where('state', '!=', 'occupied').where('deleted_at', 'is', null),
);

describe('hotQuery', () => {
  it('binds each call’s values where the arguments stand, keeping the query’s own constants', async () => {
    expect(await byIdNotState(db, 1, 'offline')).toEqual([{ id: 1, name: 'Poste 1', state: 'available' }]);
    expect(await byIdNotState(db, 2, 'offline')).toEqual([]);
    expect(await byIdNotState(db, 3, 'offline')).toEqual([]);
    expect(await byIdNotState(db, 3, 'occupied')).toEqual([{ id: 3, name: 'Poste 3', state: 'offline' }]);
  });

  it('answers what the same query built each time answers, for every row', async () => {
    for (const id of [1, 2, 3, 4]) {
      for (const state of ['available', 'offline', 'occupied'] as const) {
        const built = await db.selectFrom('stations').select(['id', 'name', 'state']).where('id', '=', id).where('state', '!=', state).where('state', '!=', 'occupied').where('deleted_at', 'is', null).execute();
        expect(await byIdNotState(db, id, state)).toEqual(built);
      }
    }
  });

  it('runs inside a transaction and sees its own uncommitted writes there only', async () => {
    await expect(
      inTransaction(db, async (trx) => {
        await trx.updateTable('stations').set({ name: 'Renamed' }).where('id', '=', 1).execute();
        expect((await byIdNotState(trx, 1, 'offline'))[0]!.name).toBe('Renamed');
        throw new Error('roll back');
      }),
    ).rejects.toThrow();
    expect((await byIdNotState(db, 1, 'offline'))[0]!.name).toBe('Poste 1');
  });

  it('refuses a query that does not use an argument (an array would be expanded)', async () => {
    const unused = hotQuery(1, (h, _id: number) => h.selectFrom('stations').select('id'));
    await expect(unused(db, 1)).rejects.toThrow(/argument 0/);
  });

  it('surfaces storage failures and the test harness’s failing plugins', async () => {
    await expect(byIdNotState(createBrokenDb(), 1, 'offline')).rejects.toMatchObject({ code: 'SQLITE_IOERR' });
    const failing = failingWhen(db, (node) => node.kind === 'SelectQueryNode');
    await expect(byIdNotState(failing, 1, 'offline')).rejects.toThrow(/simulated storage failure/);
  });
});
