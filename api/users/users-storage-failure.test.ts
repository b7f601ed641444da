import { describe, expect, it } from 'vitest';
import { operatorActor } from '../audit/audit-actions.ts';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy } from '../shared/domain-context.ts';
import { createBrokenDb, failingWhen, insertInto } from '../testing/broken-db.ts';
import { buildPng } from './image-fixtures.ts';
import { MemoryPhotoStore } from './memory-photo-store.ts';
import { deleteUser, revokeConsent } from './user-anonymise.ts';
import { recordConsent, recordGuardianConsent } from './user-consent-service.ts';
import { exportUserData } from './user-export.ts';
import { getPhoto, removePhoto, setPhoto, sweepOrphanPhotos } from './user-photo-service.ts';
import type { UsersContext } from './users-context.ts';
import { createUser, getUser, listUsers, updateUser } from './users-service.ts';
import { auditRows, errorOf, userCount, usersKit, visitorInput } from './users-test-kit.ts';

describe('visitors on a broken database', () => {
  const clock = new FakeClock();
  const photos = new MemoryPhotoStore(clock);
  const ctx: UsersContext = { db: createBrokenDb(), clock, policy: defaultPolicy, photos };
  const actor = operatorActor(1);

  it.each([
    ['createUser', () => createUser(ctx, actor, visitorInput())],
    ['updateUser', () => updateUser(ctx, actor, 1, { firstName: 'Paul' })],
    ['getUser', () => getUser(ctx, 1)],
    ['listUsers', () => listUsers(ctx, { search: 'payet', consent: 'valid' })],
    ['recordConsent', () => recordConsent(ctx, actor, 1)],
    ['recordGuardianConsent', () => recordGuardianConsent(ctx, actor, 1, { guardianName: 'Ana Grondin' })],
    ['revokeConsent', () => revokeConsent(ctx, actor, 1)],
    ['deleteUser', () => deleteUser(ctx, actor, 1)],
    ['setPhoto', () => setPhoto(ctx, actor, 1, buildPng())],
    ['removePhoto', () => removePhoto(ctx, actor, 1)],
    ['getPhoto', () => getPhoto(ctx, 1)],
    ['exportUserData', () => exportUserData(ctx, actor, 1)],
  ])('%s gives STORAGE_FAILURE', async (_name, work) => {
    const e = await errorOf(work);
    expect(e).toMatchObject({ code: 'STORAGE_FAILURE', category: 'unavailable' });
    expect(photos.size).toBe(0);
  });
});

describe('the orphan sweep on a broken database', () => {
  it('deletes nothing when it cannot check which files are referenced', async () => {
    const clock = new FakeClock();
    const photos = new MemoryPhotoStore(clock);
    await photos.put('ab'.repeat(16), Uint8Array.of(1));
    clock.advance(2 * 3600_000);
    const ctx: UsersContext = { db: createBrokenDb(), clock, policy: defaultPolicy, photos };
    expect((await errorOf(() => sweepOrphanPhotos(ctx))).code).toBe('STORAGE_FAILURE');
    expect(photos.size).toBe(1);
  });
});

describe('a failing audit write', () => {
  it('leaves no visitor row behind createUser', async () => {
    const k = await usersKit();
    const broken = { ...k.ctx, db: failingWhen(k.db, insertInto('audit_events')) };
    expect((await errorOf(() => createUser(broken, k.actor, visitorInput()))).code).toBe('STORAGE_FAILURE');
    expect(await userCount(k.db)).toBe(0);
    expect(await auditRows(k.db)).toHaveLength(0);
  });

  it('leaves the row unchanged behind updateUser and the consent services', async () => {
    const k = await usersKit();
    const { id } = await createUser(k.ctx, k.actor, visitorInput({ consentGiven: false, birthDate: '2014-01-01' }));
    const broken = { ...k.ctx, db: failingWhen(k.db, insertInto('audit_events')) };
    expect((await errorOf(() => updateUser(broken, k.actor, id, { firstName: 'Paul' }))).code).toBe('STORAGE_FAILURE');
    expect((await errorOf(() => recordConsent(broken, k.actor, id))).code).toBe('STORAGE_FAILURE');
    expect((await errorOf(() => recordGuardianConsent(broken, k.actor, id, { guardianName: 'Ana Grondin' }))).code).toBe('STORAGE_FAILURE');
    const view = await getUser(k.ctx, id);
    expect(view).toMatchObject({ firstName: 'Marie', guardianName: null, consent: { status: 'missing', givenAt: null } });
  });
});
