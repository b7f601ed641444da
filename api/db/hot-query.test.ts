import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StationState } from '../stations/stations-table.ts';
import { createBrokenDb, failingWhen } from '../testing/broken-db.ts';
import { createTestDb } from '../testing/test-db.ts';
import { ARRAY_ROWS_MARK, arrayRows } from './array-rows.ts';
import { hotQuery, shapedCompiled } from './hot-query.ts';
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

// A list query whose SQL depends on its options: one template per shape.
interface StationShape {
  states: number;
  byName: boolean;
}
const stationsShaped = shapedCompiled((h, shape: StationShape, args) => {
  let q = h.selectFrom('stations').select(['id', 'name']).where('deleted_at', 'is', null);
  if (shape.states > 0) q = q.where('state', 'in', args.slice(0, shape.states) as StationState[]);
  if (shape.byName) q = q.where('name', '=', args[shape.states] as string);
  return q.orderBy('id');
});

describe('shapedCompiled', () => {
  it('compiles each shape once and binds each call’s values', async () => {
    const run = async (states: StationState[], name?: string) =>
      (await db.executeQuery(stationsShaped(db, { states: states.length, byName: name !== undefined }, [...states, ...(name === undefined ? [] : [name])]))).rows;
    expect(await run(['available'])).toEqual([{ id: 1, name: 'Poste 1' }]);
    expect(await run(['offline', 'occupied'])).toEqual([{ id: 2, name: 'Poste 2' }, { id: 3, name: 'Poste 3' }]);
    expect(await run(['occupied'])).toEqual([{ id: 2, name: 'Poste 2' }]);
    expect(await run(['offline', 'occupied'], 'Poste 3')).toEqual([{ id: 3, name: 'Poste 3' }]);
    expect(await run([], 'Poste 1')).toEqual([{ id: 1, name: 'Poste 1' }]);
    expect(await run([])).toHaveLength(3);
    const first = stationsShaped(db, { states: 1, byName: false }, ['available']);
    expect(stationsShaped(db, { states: 1, byName: false }, ['offline']).sql).toBe(first.sql);
    expect(stationsShaped(db, { states: 1, byName: false }, ['offline']).parameters).toEqual(['offline']);
  });

  it('marks the SQL for array rows when asked', async () => {
    const asArrays = shapedCompiled((h, _shape: null, args) => h.selectFrom('stations').select(['id', 'name']).where('id', '=', args[0] as number), { arrayRows: true });
    expect(asArrays(db, null, [2]).sql.startsWith(ARRAY_ROWS_MARK)).toBe(true);
    expect(await arrayRows(db, asArrays(db, null, [2]))).toEqual([[2, 'Poste 2']]);
  });

  it('refuses a shape whose query leaves an argument out', () => {
    expect(() => stationsShaped(db, { states: 0, byName: false }, ['available'])).toThrow(/argument 0/);
  });

  it('compiles a query built on a failing handle there, and fails', async () => {
    const failing = failingWhen(db, (node) => node.kind === 'SelectQueryNode');
    expect(() => stationsShaped(failing, { states: 1, byName: false }, ['available'])).toThrow(/simulated storage failure/);
    expect((await db.executeQuery(stationsShaped(db, { states: 1, byName: false }, ['available']))).rows).toHaveLength(1);
  });
});
