import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSession } from '../sessions/sessions-service.ts';
import { insertStation, insertUser, issue, makeKit, type Kit } from '../sessions/session-test-kit.ts';
import { failingWhen } from '../testing/broken-db.ts';
import { replayStationEvents, type ReplayedEvent } from './station-replay.ts';

let kit: Kit;
beforeEach(async () => {
  kit = await makeKit();
});
afterEach(async () => {
  await kit.db.destroy();
});

async function running(): Promise<{ stationId: number; sessionId: number }> {
  const stationId = await insertStation(kit.db);
  const s = await issue(kit, await insertUser(kit.db));
  await startSession(kit.ctx, s.code, stationId);
  return { stationId, sessionId: s.id };
}

const logout = (sessionId: number, eventId = 'evt-00000001'): ReplayedEvent => ({ eventId, type: 'end_session', sessionId, occurredAt: '2026-03-02T08:10:00.000Z' });
const replays = () => kit.db.selectFrom('station_replays').selectAll().execute();

describe('offline replay', () => {
  it('applies an event once; the same event again is a duplicate, another station may reuse the id', async () => {
    const a = await running();
    const b = await running();
    expect(await replayStationEvents(kit.ctx, a.stationId, [logout(a.sessionId), logout(a.sessionId)])).toEqual([
      { eventId: 'evt-00000001', outcome: 'applied', code: null },
      { eventId: 'evt-00000001', outcome: 'duplicate', code: null },
    ]);
    expect(await replayStationEvents(kit.ctx, b.stationId, [logout(b.sessionId)])).toEqual([{ eventId: 'evt-00000001', outcome: 'applied', code: null }]);
    const ended = await kit.db.selectFrom('audit_events').select('target_id').where('action', '=', 'session.ended').execute();
    expect(ended.map((e) => e.target_id).sort()).toEqual([a.sessionId, b.sessionId].sort());
  });

  it('rejects for good what the domain refuses, and remembers why', async () => {
    const a = await running();
    const b = await running();
    expect(await replayStationEvents(kit.ctx, a.stationId, [logout(b.sessionId, 'evt-other-session')])).toEqual([{ eventId: 'evt-other-session', outcome: 'rejected', code: 'SESSION_NOT_ON_THIS_STATION' }]);
    expect(await replayStationEvents(kit.ctx, a.stationId, [logout(b.sessionId, 'evt-other-session')])).toEqual([{ eventId: 'evt-other-session', outcome: 'duplicate', code: 'SESSION_NOT_ON_THIS_STATION' }]);
    expect((await kit.db.selectFrom('sessions').select('status').where('id', '=', b.sessionId).executeTakeFirstOrThrow()).status).toBe('active');
  });

  it('releases the claim when storage fails, so the next replay applies it', async () => {
    const a = await running();
    const broken = { ...kit.ctx, db: failingWhen(kit.db, (node) => node.kind === 'UpdateQueryNode') };
    expect(await replayStationEvents(broken, a.stationId, [logout(a.sessionId)])).toEqual([{ eventId: 'evt-00000001', outcome: 'failed', code: 'STORAGE_FAILURE' }]);
    expect(await replays()).toEqual([]);
    expect((await kit.db.selectFrom('sessions').select('status').where('id', '=', a.sessionId).executeTakeFirstOrThrow()).status).toBe('active');
    expect(await replayStationEvents(kit.ctx, a.stationId, [logout(a.sessionId)])).toEqual([{ eventId: 'evt-00000001', outcome: 'applied', code: null }]);
    expect(await replays()).toMatchObject([{ station_id: a.stationId, event_id: 'evt-00000001', outcome: 'applied', error_code: null }]);
  });
});
