import { describe, expect, it } from 'vitest';
import { appendAudit } from '../audit/audit-writer.ts';
import { stationActor } from '../audit/audit-actions.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { buildJpeg } from './image-fixtures.ts';
import type { MemoryPhotoStore } from './memory-photo-store.ts';
import { deleteUser, revokeConsent } from './user-anonymise.ts';
import { exportUserData } from './user-export.ts';
import { setPhoto } from './user-photo-service.ts';
import { createUser } from './users-service.ts';
import { auditRows, errorOf, seedSession, seedStation, usersKit, visitorInput } from './users-test-kit.ts';

async function exportedVisitor() {
  const k = await usersKit();
  const { id } = await createUser(k.ctx, k.actor, visitorInput());
  const other = await createUser(k.ctx, k.actor, visitorInput({ firstName: 'Paul' }));
  const jpeg = buildJpeg({ width: 120, height: 160 });
  await setPhoto(k.ctx, k.actor, id, jpeg);
  const station = await seedStation(k.db, k.clock.now());
  const ended = await seedSession(k.db, { userId: id, status: 'ended', now: k.clock.now(), stationId: station.id, stationIp: station.ip });
  const pending = await seedSession(k.db, { userId: id, status: 'pending', now: k.clock.now() });
  await seedSession(k.db, { userId: other.id, status: 'pending', now: k.clock.now() });
  await appendAudit(k.db, k.clock, { actor: stationActor(station.id), action: 'session.started', target: { type: 'session', id: ended.id } });
  return { k, id, other, jpeg, station, ended, pending };
}

describe('exportUserData', () => {
  it('gives the profile, photo, sessions and audit events of one person', async () => {
    const { k, id, jpeg, station, ended, pending } = await exportedVisitor();
    const data = await exportUserData(k.ctx, k.actor, id);
    expect(data).toMatchObject({ format: 'epnbox.user-export', version: 1, exportedAt: k.clock.now(), timeZone: 'Indian/Reunion' });
    expect(data.profile).toMatchObject({ id, firstName: 'Marie', phone: '+262692123456', age: 35, consent: { status: 'valid' } });
    expect(data.photo).toEqual({ mime: 'image/jpeg', width: 120, height: 160, sizeBytes: jpeg.length, base64: jpeg.toString('base64') });
    expect(data.sessions).toEqual([
      {
        id: ended.id,
        status: 'ended',
        endReason: 'expired',
        createdAt: ended.created_at,
        codeExpiresAt: ended.code_expires_at,
        startedAt: ended.started_at,
        endedAt: ended.ended_at,
        station: { id: station.id, name: station.name },
        stationIp: station.ip,
        allottedMs: 3600_000,
        usedMs: 3600_000,
      },
      expect.objectContaining({ id: pending.id, status: 'pending', station: null, stationIp: null, usedMs: 0 }),
    ]);
    expect(data.auditEvents.map((e) => e.action)).toEqual(['user.created', 'user.photo_updated', 'session.started']);
    expect(data.auditEvents[2]).toMatchObject({ targetType: 'session', targetId: ended.id, actorType: 'station', actorId: station.id });
    // Round-trips as JSON (no Buffers, no BigInts).
    expect(JSON.parse(JSON.stringify(data))).toEqual(data);
  });

  it('records user.exported with counts only', async () => {
    const { k, id } = await exportedVisitor();
    await exportUserData(k.ctx, k.actor, id);
    const last = (await auditRows(k.db)).at(-1)!;
    expect(last).toMatchObject({ action: 'user.exported', target_type: 'user', target_id: id, actor_id: k.operatorId });
    expect(JSON.parse(last.metadata)).toEqual({ sessions: 2, auditEvents: 3, photoIncluded: true });
  });

  it('exports what remains after anonymisation: connection records, no identity', async () => {
    const { k, id, ended } = await exportedVisitor();
    await revokeConsent(k.ctx, k.actor, id);
    const data = await exportUserData(k.ctx, k.actor, id);
    expect(data.profile).toMatchObject({ firstName: null, phone: null, hasPhoto: false, consent: { status: 'revoked' } });
    expect(data.photo).toBeNull();
    expect(data.sessions.map((s) => [s.id, s.status, s.endReason])).toEqual([
      [ended.id, 'ended', 'expired'],
      [expect.any(Number), 'ended', 'cancelled'],
    ]);
  });

  it('marks a photo missing from the store instead of failing', async () => {
    const { k, id } = await exportedVisitor();
    const photos = k.photos as MemoryPhotoStore;
    for (const { key } of await photos.list()) await photos.delete(key);
    const data = await exportUserData(k.ctx, k.actor, id);
    expect(data.photo).toMatchObject({ mime: 'image/jpeg', base64: null });
  });

  it('does not find deleted visitors', async () => {
    const { k, id } = await exportedVisitor();
    await deleteUser(k.ctx, k.actor, id);
    expect((await errorOf(() => exportUserData(k.ctx, k.actor, id))).code).toBe('USER_NOT_FOUND');
  });

  it('hands nothing over when the export cannot be audited', async () => {
    const { k, id } = await exportedVisitor();
    const before = (await auditRows(k.db)).length;
    const broken = { ...k.ctx, db: failingWhen(k.db, insertInto('audit_events')) };
    expect((await errorOf(() => exportUserData(broken, k.actor, id))).code).toBe('STORAGE_FAILURE');
    expect(await auditRows(k.db)).toHaveLength(before);
  });

  it('fails clearly when the photo store fails', async () => {
    const { k, id } = await exportedVisitor();
    (k.photos as MemoryPhotoStore).failOn.add('get');
    expect((await errorOf(() => exportUserData(k.ctx, k.actor, id))).code).toBe('USER_PHOTO_STORAGE_FAILURE');
  });
});
