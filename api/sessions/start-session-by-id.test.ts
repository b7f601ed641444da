import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { cancelSession } from './session-lifecycle.ts';
import { getSession } from './session-queries.ts';
import { auditActions, insertStation, insertUser, issue, lastAudit, makeKit, MIN, operator, OPERATOR_ID, stationState, type Kit } from './session-test-kit.ts';
import { startSessionById } from './start-session-by-id.ts';

let kit: Kit;
let userId: number;
let station: number;
beforeEach(async () => {
  kit = await makeKit();
  userId = await insertUser(kit.db);
  station = await insertStation(kit.db, { ip: '10.0.7.7' });
});
afterEach(async () => {
  await kit.db.destroy();
});

describe('startSessionById', () => {
  it('starts an unused code on the chosen station, audited as the operator', async () => {
    const s = await issue(kit, userId, { durationMinutes: 30 });
    const view = await startSessionById(kit.ctx, s.id, station, operator);
    expect(view).toMatchObject({ status: 'active', stationId: station, stationIp: '10.0.7.7', endsAt: kit.clock.now() + 30 * MIN });
    expect(await stationState(kit.db, station)).toBe('occupied');
    expect(await lastAudit(kit.db)).toMatchObject({ action: 'session.started', actor_type: 'operator', actor_id: OPERATOR_ID, target_id: s.id });
  });

  it('names the real reason to the operator: expired code, code reserved elsewhere', async () => {
    const other = await insertStation(kit.db);
    const bound = await issue(kit, userId, { boundStationId: other });
    await expect(startSessionById(kit.ctx, bound.id, station, operator)).rejects.toMatchObject({ code: 'SESSION_BOUND_ELSEWHERE', category: 'conflict' });
    const s = await issue(kit, userId);
    kit.clock.advance(kit.ctx.policy.unusedCodeExpiryMs);
    await expect(startSessionById(kit.ctx, s.id, station, operator)).rejects.toMatchObject({ code: 'SESSION_CODE_EXPIRED' });
    expect(await auditActions(kit.db)).not.toContain('session.code_rejected');
  });

  it('refuses a session that is not pending, an unknown one, a busy or unknown station, a visitor without consent', async () => {
    const first = await issue(kit, userId);
    await startSessionById(kit.ctx, first.id, station, operator);
    await expect(startSessionById(kit.ctx, first.id, station, operator)).rejects.toMatchObject({ code: 'SESSION_STATE_CONFLICT' });
    const second = await issue(kit, userId);
    await expect(startSessionById(kit.ctx, second.id, station, operator)).rejects.toMatchObject({ code: 'STATION_BUSY' });
    await expect(startSessionById(kit.ctx, second.id, 999, operator)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    await expect(startSessionById(kit.ctx, 999, station, operator)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    await expect(startSessionById(kit.ctx, second.id, -1, operator)).rejects.toMatchObject({ code: 'ID_INVALID' });
    const cancelled = await issue(kit, userId);
    await cancelSession(kit.ctx, cancelled.id, operator);
    await expect(startSessionById(kit.ctx, cancelled.id, station, operator)).rejects.toMatchObject({ code: 'SESSION_STATE_CONFLICT' });
    const other = await insertStation(kit.db);
    await kit.db.updateTable('users').set({ consent_revoked_at: kit.clock.now() }).where('id', '=', userId).execute();
    await expect(startSessionById(kit.ctx, second.id, other, operator)).rejects.toMatchObject({ code: 'USER_ANONYMISED' });
  });

  it('leaves the session pending and the station available when the audit write fails', async () => {
    const s = await issue(kit, userId);
    const broken = { ...kit.ctx, db: failingWhen(kit.db, insertInto('audit_events')) };
    await expect(startSessionById(broken, s.id, station, operator)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect((await getSession(kit.ctx, s.id)).status).toBe('pending');
    expect(await stationState(kit.db, station)).toBe('available');
  });
});
