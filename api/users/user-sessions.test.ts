import { describe, expect, it } from 'vitest';
import { deleteUser, revokeConsent } from './user-anonymise.ts';
import { listUserSessions } from './user-sessions.ts';
import { createUser } from './users-service.ts';
import { errorOf, seedSession, seedStation, usersKit, visitorInput } from './users-test-kit.ts';

describe('listUserSessions', () => {
  it("pages one visitor's sessions, newest first, and keeps them once the visitor is anonymised", async () => {
    const k = await usersKit();
    const marie = await createUser(k.ctx, k.actor, visitorInput());
    const other = await createUser(k.ctx, k.actor, visitorInput({ firstName: 'Éric', phone: '0692 98 76 54' }));
    const station = await seedStation(k.db, k.clock.now());
    const first = await seedSession(k.db, { userId: marie.id, status: 'ended', now: k.clock.now(), stationId: station.id });
    k.clock.advance(3600_000);
    const second = await seedSession(k.db, { userId: marie.id, status: 'ended', now: k.clock.now(), stationId: station.id });
    await seedSession(k.db, { userId: other.id, status: 'ended', now: k.clock.now() });
    const page = await listUserSessions(k.ctx, marie.id, { pageSize: 1 });
    expect(page).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(page.items.map((s) => s.id)).toEqual([second.id]);
    expect((await listUserSessions(k.ctx, marie.id, { order: 'asc' })).items.map((s) => s.id)).toEqual([first.id, second.id]);
    await revokeConsent(k.ctx, k.actor, marie.id);
    expect((await listUserSessions(k.ctx, marie.id)).total).toBe(2);
  });

  it('answers USER_NOT_FOUND for an unknown or deleted visitor, and checks filters', async () => {
    const k = await usersKit();
    const marie = await createUser(k.ctx, k.actor, visitorInput());
    expect(await errorOf(() => listUserSessions(k.ctx, marie.id, { status: 'nope' as never }))).toMatchObject({ code: 'FILTER_INVALID' });
    await deleteUser(k.ctx, k.actor, marie.id);
    expect(await errorOf(() => listUserSessions(k.ctx, marie.id))).toMatchObject({ code: 'USER_NOT_FOUND' });
    expect(await errorOf(() => listUserSessions(k.ctx, 999))).toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});
