import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-actions.ts';
import { insertStation, insertUser, issue, makeKit, type Kit } from '../sessions/session-test-kit.ts';
import { startSession } from '../sessions/sessions-service.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { purgeJob } from '../jobs/purge-job.ts';
import { purgeStationReplays, STATION_REPLAYS_KEEP_DAYS } from './purge-station-replays.ts';
import { replayStationEvents } from './station-replay.ts';

const DAY = 24 * 60 * 60 * 1000;
let kit: Kit;
beforeEach(async () => {
  kit = await makeKit();
});
afterEach(async () => {
  await kit.db.destroy();
});

async function replayed(eventId: string, receivedDaysAgo: number, stationId: number): Promise<void> {
  await kit.db
    .insertInto('station_replays')
    .values({ station_id: stationId, event_id: eventId, event_type: 'end_session', received_at: kit.clock.now() - receivedDaysAgo * DAY, outcome: 'applied', error_code: null })
    .execute();
}
const eventIds = async () => (await kit.db.selectFrom('station_replays').select('event_id').orderBy('event_id').execute()).map((r) => r.event_id);
const purgedEvents = () => kit.db.selectFrom('audit_events').select('metadata').where('action', '=', 'data.purged').execute();

describe('purge of station replays', () => {
  it(`forgets replay ids older than ${STATION_REPLAYS_KEEP_DAYS} days, with one data.purged event`, async () => {
    const stationId = await insertStation(kit.db);
    await replayed('evt-old-1', 90, stationId);
    await replayed('evt-old-2', STATION_REPLAYS_KEEP_DAYS + 1, stationId);
    await replayed('evt-recent', STATION_REPLAYS_KEEP_DAYS - 1, stationId);
    const result = await purgeStationReplays(kit.ctx, systemActor, kit.clock.now());
    expect(result).toEqual({ keepDays: STATION_REPLAYS_KEEP_DAYS, cutoff: kit.clock.now() - STATION_REPLAYS_KEEP_DAYS * DAY, replays: 2 });
    expect(await eventIds()).toEqual(['evt-recent']);
    const events = await purgedEvents();
    expect(events.map((e) => JSON.parse(e.metadata) as unknown)).toEqual([{ dataset: 'station_replays', ...result }]);
  });

  it('writes no event when nothing is old enough', async () => {
    const stationId = await insertStation(kit.db);
    await replayed('evt-recent', 1, stationId);
    expect((await purgeStationReplays(kit.ctx, systemActor, kit.clock.now())).replays).toBe(0);
    expect(await eventIds()).toEqual(['evt-recent']);
    expect(await purgedEvents()).toEqual([]);
  });

  it('deletes nothing when the audit write fails (one transaction)', async () => {
    const stationId = await insertStation(kit.db);
    await replayed('evt-old', 90, stationId);
    const broken = { ...kit.ctx, db: failingWhen(kit.db, insertInto('audit_events')) };
    await expect(purgeStationReplays(broken, systemActor, kit.clock.now())).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await eventIds()).toEqual(['evt-old']);
  });

  it('a forgotten id replayed again is rejected, never applied twice', async () => {
    const stationId = await insertStation(kit.db);
    const s = await issue(kit, await insertUser(kit.db));
    await startSession(kit.ctx, s.code, stationId);
    const event = { eventId: 'evt-logout', type: 'end_session' as const, sessionId: s.id, occurredAt: '2026-03-02T08:10:00.000Z' };
    expect(await replayStationEvents(kit.ctx, stationId, [event])).toMatchObject([{ outcome: 'applied' }]);
    kit.clock.advance((STATION_REPLAYS_KEEP_DAYS + 1) * DAY);
    await purgeStationReplays(kit.ctx, systemActor, kit.clock.now());
    expect(await eventIds()).toEqual([]);
    const again = await replayStationEvents(kit.ctx, stationId, [event]);
    expect(again).toMatchObject([{ outcome: 'rejected' }]);
    const ended = await kit.db.selectFrom('audit_events').select('id').where('action', '=', 'session.ended').execute();
    expect(ended).toHaveLength(1);
  });

  it('runs in the daily purge job', async () => {
    const stationId = await insertStation(kit.db);
    await replayed('evt-old', 90, stationId);
    const result = await purgeJob({ ctx: kit.ctx, now: kit.clock.now(), actor: systemActor, retention: { connectionRecordsDays: 365, authRecordsDays: 90, reportsDays: 730 } });
    expect(result.stationReplays.replays).toBe(1);
    expect(await eventIds()).toEqual([]);
  });
});
