import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditActions, insertStation, insertUser, issue, lastAudit, makeKit, MIN, stationState, type Kit } from './session-test-kit.ts';
import { startSession } from './start-session.ts';
import { endSessionOnStation, timeRemainingOnStation } from './station-own-session.ts';

let kit: Kit;
let station: number;
let other: number;
let sessionId: number;
beforeEach(async () => {
  kit = await makeKit();
  station = await insertStation(kit.db);
  other = await insertStation(kit.db);
  const s = await issue(kit, await insertUser(kit.db), { durationMinutes: 20 });
  await startSession(kit.ctx, s.code, station);
  sessionId = s.id;
});
afterEach(async () => {
  await kit.db.destroy();
});

describe('a station and its own session', () => {
  it('reads the time left of its session', async () => {
    kit.clock.advance(5 * MIN);
    expect(await timeRemainingOnStation(kit.ctx, sessionId, station)).toEqual({
      sessionId,
      status: 'active',
      remainingMs: 15 * MIN,
      endsAt: kit.clock.now() + 15 * MIN,
      serverNow: kit.clock.now(),
    });
  });

  it('ends its session as the visitor, which frees the station', async () => {
    const view = await endSessionOnStation(kit.ctx, sessionId, station);
    expect(view).toMatchObject({ status: 'ended', endReason: 'ended_by_visitor' });
    expect(await lastAudit(kit.db)).toMatchObject({ action: 'session.ended', actor_type: 'station', actor_id: station });
    expect(await stationState(kit.db, station)).toBe('available');
  });

  it("gets the same refusal for another station's session and for one that does not exist", async () => {
    const before = await auditActions(kit.db);
    const foreign = endSessionOnStation(kit.ctx, sessionId, other);
    await expect(foreign).rejects.toMatchObject({ code: 'SESSION_NOT_ON_THIS_STATION', category: 'forbidden' });
    await expect(timeRemainingOnStation(kit.ctx, sessionId, other)).rejects.toMatchObject({ code: 'SESSION_NOT_ON_THIS_STATION' });
    await expect(timeRemainingOnStation(kit.ctx, 999, other)).rejects.toMatchObject({ code: 'SESSION_NOT_ON_THIS_STATION' });
    await expect(endSessionOnStation(kit.ctx, 0, other)).rejects.toMatchObject({ code: 'ID_INVALID' });
    expect(await auditActions(kit.db)).toEqual(before);
  });

  it('cannot end twice', async () => {
    await endSessionOnStation(kit.ctx, sessionId, station);
    await expect(endSessionOnStation(kit.ctx, sessionId, station)).rejects.toMatchObject({ code: 'SESSION_STATE_CONFLICT' });
  });
});
