import { describe, expect, it } from 'vitest';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { buildPng } from './image-fixtures.ts';
import { MemoryPhotoStore } from './memory-photo-store.ts';
import { deleteUser, revokeConsent } from './user-anonymise.ts';
import { setPhoto } from './user-photo-service.ts';
import { findUserRow, PERSONAL_FIELDS } from './users-repository.ts';
import { createUser, getUser } from './users-service.ts';
import { auditRows, errorOf, seedSession, seedStation, usersKit, visitorInput } from './users-test-kit.ts';

async function visitorWithHistory() {
  const photos = new MemoryPhotoStore();
  const k = await usersKit({ photos });
  const { id } = await createUser(k.ctx, k.actor, visitorInput({ birthDate: '2014-01-01', guardianName: 'Josiane Payet', guardianConsentGiven: true }));
  await setPhoto(k.ctx, k.actor, id, buildPng());
  const station = await seedStation(k.db, k.clock.now());
  const ended = await seedSession(k.db, { userId: id, status: 'ended', now: k.clock.now(), stationId: station.id, stationIp: station.ip });
  const pending = await seedSession(k.db, { userId: id, status: 'pending', now: k.clock.now(), allottedMs: 1_800_000 });
  return { k, photos, id, station, ended, pending };
}

describe('revokeConsent', () => {
  it('anonymises the person and keeps connection records intact', async () => {
    const { k, photos, id, ended } = await visitorWithHistory();
    k.clock.advance(5000);
    const result = await revokeConsent(k.ctx, k.actor, id);
    const row = (await findUserRow(k.db, id))!;
    for (const field of PERSONAL_FIELDS) expect(row[field], field).toBeNull();
    expect(row).toMatchObject({ anonymised_at: k.clock.now(), consent_revoked_at: k.clock.now(), deleted_at: null });
    expect(result.user.consent.status).toBe('revoked');
    expect(result.photoFileRemoved).toBe(true);
    expect(photos.size).toBe(0);
    const after = await k.db.selectFrom('sessions').selectAll().where('id', '=', ended.id).executeTakeFirstOrThrow();
    expect(after).toEqual(ended);
  });

  it('cancels unused codes with their allowance frozen, and lists them', async () => {
    const { k, id, pending } = await visitorWithHistory();
    const result = await revokeConsent(k.ctx, k.actor, id);
    expect(result.cancelledSessionIds).toEqual([pending.id]);
    const row = await k.db.selectFrom('sessions').selectAll().where('id', '=', pending.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'ended', end_reason: 'cancelled', ended_at: k.clock.now(), remaining_ms: 1_800_000, ends_at: null, user_id: id });
  });

  it('writes exactly one audit event, with ids and no personal values', async () => {
    const { k, id, pending } = await visitorWithHistory();
    const before = (await auditRows(k.db)).length;
    await revokeConsent(k.ctx, k.actor, id);
    const events = (await auditRows(k.db)).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'user.consent_revoked', target_type: 'user', target_id: id });
    expect(JSON.parse(events[0]!.metadata)).toEqual({ cancelledSessionIds: [pending.id], anonymised: true, photoRemoved: true });
    const all = JSON.stringify(await auditRows(k.db));
    for (const value of ['Marie', 'Payet', 'Josiane', '2014-01-01', '692123456']) expect(all).not.toContain(value);
  });

  it.each(['active', 'suspended'] as const)('refuses while a session is %s, changing nothing', async (status) => {
    const { k, photos, id, station, pending } = await visitorWithHistory();
    const running = await seedSession(k.db, { userId: id, status, now: k.clock.now(), stationId: station.id, stationIp: station.ip });
    const eventsBefore = (await auditRows(k.db)).length;
    const e = await errorOf(() => revokeConsent(k.ctx, k.actor, id));
    expect(e).toMatchObject({ code: 'USER_HAS_RUNNING_SESSION', category: 'conflict', details: { userId: id, sessionIds: [running.id] } });
    expect((await getUser(k.ctx, id)).firstName).toBe('Marie');
    expect(photos.size).toBe(1);
    const stillPending = await k.db.selectFrom('sessions').select('status').where('id', '=', pending.id).executeTakeFirstOrThrow();
    expect(stillPending.status).toBe('pending');
    expect(await auditRows(k.db)).toHaveLength(eventsBefore);
  });

  it('cannot revoke twice', async () => {
    const { k, id } = await visitorWithHistory();
    await revokeConsent(k.ctx, k.actor, id);
    expect((await errorOf(() => revokeConsent(k.ctx, k.actor, id))).code).toBe('USER_ANONYMISED');
  });

  it('rolls everything back when the audit write fails: row, sessions and photo intact', async () => {
    const { k, photos, id, pending } = await visitorWithHistory();
    const broken = { ...k.ctx, db: failingWhen(k.db, insertInto('audit_events')) };
    expect((await errorOf(() => revokeConsent(broken, k.actor, id))).code).toBe('STORAGE_FAILURE');
    const row = (await findUserRow(k.db, id))!;
    expect(row).toMatchObject({ first_name: 'Marie', anonymised_at: null, consent_revoked_at: null });
    expect(await photos.get(row.photo_key!)).toBeDefined();
    const p = await k.db.selectFrom('sessions').select('status').where('id', '=', pending.id).executeTakeFirstOrThrow();
    expect(p.status).toBe('pending');
  });

  it('still commits when the photo file cannot be removed, and says so', async () => {
    const { k, photos, id } = await visitorWithHistory();
    photos.failOn.add('delete');
    const result = await revokeConsent(k.ctx, k.actor, id);
    expect(result.photoFileRemoved).toBe(false);
    expect((await findUserRow(k.db, id))!.photo_key).toBeNull();
  });
});

describe('deleteUser', () => {
  it('anonymises, marks deleted, audits user.deleted and hides the visitor', async () => {
    const { k, id, ended } = await visitorWithHistory();
    const result = await deleteUser(k.ctx, k.actor, id);
    expect(result.user.consent.status).toBe('deleted');
    const row = (await findUserRow(k.db, id))!;
    for (const field of PERSONAL_FIELDS) expect(row[field], field).toBeNull();
    expect(row.deleted_at).toBe(k.clock.now());
    expect(row.consent_revoked_at).toBeNull();
    expect((await auditRows(k.db)).at(-1)).toMatchObject({ action: 'user.deleted', target_id: id });
    expect((await errorOf(() => getUser(k.ctx, id))).code).toBe('USER_NOT_FOUND');
    expect((await errorOf(() => deleteUser(k.ctx, k.actor, id))).code).toBe('USER_NOT_FOUND');
    const kept = await k.db.selectFrom('sessions').selectAll().where('id', '=', ended.id).executeTakeFirstOrThrow();
    expect(kept).toEqual(ended);
  });

  it('deletes a visitor already anonymised by revocation', async () => {
    const { k, id } = await visitorWithHistory();
    await revokeConsent(k.ctx, k.actor, id);
    const result = await deleteUser(k.ctx, k.actor, id);
    expect(result.cancelledSessionIds).toEqual([]);
    expect(JSON.parse((await auditRows(k.db)).at(-1)!.metadata)).toEqual({ cancelledSessionIds: [], anonymised: false, photoRemoved: false });
  });

  it('refuses while a session runs', async () => {
    const { k, id, station } = await visitorWithHistory();
    await seedSession(k.db, { userId: id, status: 'active', now: k.clock.now(), stationId: station.id });
    expect((await errorOf(() => deleteUser(k.ctx, k.actor, id))).code).toBe('USER_HAS_RUNNING_SESSION');
  });
});
