import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addStations } from '../stats/stats-fixtures.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { makeJobKit, type JobKit } from './jobs-test-kit.ts';
import { silentStationsJob } from './silent-stations-job.ts';

describe('silentStations job', () => {
  let kit: JobKit;
  beforeEach(async () => {
    kit = await makeJobKit();
  });
  afterEach(async () => {
    await kit.cleanup();
  });

  it('puts stations silent past the heartbeat timeout offline, leaving lively and maintenance ones', async () => {
    const now = kit.clock.now();
    const [silent, lively, repair] = await addStations(kit.db, 3);
    await kit.db.updateTable('stations').set({ last_heartbeat_at: now - 31_000 }).where('id', '=', silent!).execute();
    await kit.db.updateTable('stations').set({ last_heartbeat_at: now - 5_000 }).where('id', '=', lively!).execute();
    await kit.db.updateTable('stations').set({ state: 'maintenance', last_heartbeat_at: 0 }).where('id', '=', repair!).execute();
    expect(await silentStationsJob(kit.deps())).toEqual({ stationsOffline: 1, stationIds: [silent] });
    const states = await kit.db.selectFrom('stations').select(['id', 'state', 'state_reason']).orderBy('id').execute();
    expect(states.map((s) => s.state)).toEqual(['offline', 'available', 'maintenance']);
    const events = await kit.db.selectFrom('audit_events').select(['action', 'target_id', 'actor_type']).execute();
    expect(events).toEqual([{ action: 'station.went_offline', target_id: silent, actor_type: 'system' }]);
    expect(await silentStationsJob(kit.deps())).toEqual({ stationsOffline: 0, stationIds: [] });
  });

  it('reports a storage failure as a domain error', async () => {
    await expect(silentStationsJob({ ...kit.deps(), ctx: { ...kit.ctx, db: createBrokenDb() } })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});
