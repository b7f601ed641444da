import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { changeBinding } from './session-binding.ts';
import { getSession } from './session-queries.ts';
import { auditActions, insertStation, insertUser, issue, lastAudit, makeKit, operator, type Kit } from './session-test-kit.ts';
import { startSession } from './start-session.ts';

let kit: Kit;
let userId: number;
beforeEach(async () => {
  kit = await makeKit();
  userId = await insertUser(kit.db);
});
afterEach(async () => {
  await kit.db.destroy();
});

describe('changeBinding', () => {
  it('reserves an unused code for a station, then for any, one audit event each', async () => {
    const station = await insertStation(kit.db);
    const s = await issue(kit, userId);
    const bound = await changeBinding(kit.ctx, s.id, station, operator);
    expect(bound).toMatchObject({ id: s.id, boundStationId: station, status: 'pending', code: s.code });
    expect(await lastAudit(kit.db)).toMatchObject({ action: 'session.binding_changed', target_id: s.id, meta: { from: null, to: station } });
    const free = await changeBinding(kit.ctx, s.id, null, operator);
    expect(free.boundStationId).toBeNull();
    expect(await lastAudit(kit.db)).toMatchObject({ meta: { from: station, to: null } });
  });

  it('writes nothing when the binding is already the one asked', async () => {
    const s = await issue(kit, userId);
    const before = await auditActions(kit.db);
    await changeBinding(kit.ctx, s.id, null, operator);
    expect(await auditActions(kit.db)).toEqual(before);
  });

  it('refuses a started code, an unknown or unapproved station, a bad id', async () => {
    const station = await insertStation(kit.db);
    const unapproved = await insertStation(kit.db, { state: 'pending' });
    const s = await issue(kit, userId);
    await expect(changeBinding(kit.ctx, s.id, 999, operator)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    await expect(changeBinding(kit.ctx, s.id, unapproved, operator)).rejects.toMatchObject({ code: 'STATION_NOT_APPROVED' });
    await expect(changeBinding(kit.ctx, s.id, 0, operator)).rejects.toMatchObject({ code: 'ID_INVALID', fields: [{ field: 'boundStationId' }] });
    await expect(changeBinding(kit.ctx, 999, null, operator)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    await startSession(kit.ctx, s.code, station);
    await expect(changeBinding(kit.ctx, s.id, null, operator)).rejects.toMatchObject({
      code: 'SESSION_STATE_CONFLICT',
      category: 'conflict',
      details: { from: 'active' },
    });
  });

  it('keeps the old binding when the audit write fails', async () => {
    const station = await insertStation(kit.db);
    const s = await issue(kit, userId);
    const broken = { ...kit.ctx, db: failingWhen(kit.db, insertInto('audit_events')) };
    await expect(changeBinding(broken, s.id, station, operator)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect((await getSession(kit.ctx, s.id)).boundStationId).toBeNull();
  });
});
