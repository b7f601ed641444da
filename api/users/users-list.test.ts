import { beforeAll, describe, expect, it } from 'vitest';
import { revokeConsent, deleteUser } from './user-anonymise.ts';
import { createUser, listUsers } from './users-service.ts';
import { errorOf, usersKit, visitorInput, type UsersKit } from './users-test-kit.ts';
import type { ListUsersOptions } from './users-service.ts';

let k: UsersKit;
const ids: Record<string, number> = {};

beforeAll(async () => {
  k = await usersKit();
  const people = [
    { key: 'helene', firstName: 'Hélène', lastName: 'Técher', phone: '0692 11 22 33', email: 'helene@example.re' },
    { key: 'eric', firstName: 'Éric', lastName: 'Hoarau', phone: '0262 40 50 60', email: null },
    { key: 'marie', firstName: 'Marie', lastName: 'Payet', phone: '0693 99 88 77', email: 'mp_100%@mail.re', consentGiven: false },
    { key: 'kid', firstName: 'Noa', lastName: 'Payet', phone: '0692 55 44 33', birthDate: '2016-02-01' },
    { key: 'kidok', firstName: 'Lou', lastName: 'Grondin', phone: '0692 55 44 34', birthDate: '2015-02-01', guardianName: 'Ana Grondin', guardianConsentGiven: true },
    { key: 'gone', firstName: 'Zoé', lastName: 'Abeille', phone: '0692 00 00 01' },
    { key: 'deleted', firstName: 'Yann', lastName: 'Bègue', phone: '0692 00 00 02' },
  ];
  for (const { key, ...p } of people) {
    k.clock.advance(60_000);
    ids[key] = (await createUser(k.ctx, k.actor, visitorInput({ notes: null, email: null, ...p }))).id;
  }
  await revokeConsent(k.ctx, k.actor, ids.gone!);
  await deleteUser(k.ctx, k.actor, ids.deleted!);
});

async function names(options: ListUsersOptions = {}): Promise<string[]> {
  const page = await listUsers(k.ctx, options);
  return page.items.map((u) => u.firstName ?? `#${u.id}`);
}

describe('listUsers', () => {
  it('lists by last name ignoring accents, without anonymised or deleted visitors', async () => {
    expect(await names()).toEqual(['Lou', 'Éric', 'Marie', 'Noa', 'Hélène']);
  });

  it('finds names and email regardless of case and accents', async () => {
    expect(await names({ search: 'helene' })).toEqual(['Hélène']);
    expect(await names({ search: 'TECHER' })).toEqual(['Hélène']);
    expect(await names({ search: 'payet' })).toEqual(['Marie', 'Noa']);
    expect(await names({ search: 'payet noa' })).toEqual(['Noa']);
    expect(await names({ search: 'example.re' })).toEqual(['Hélène']);
  });

  it('treats LIKE wildcards as plain characters', async () => {
    expect(await names({ search: '100%' })).toEqual(['Marie']);
    expect(await names({ search: '%' })).toEqual(['Marie']);
    expect(await names({ search: '_' })).toEqual(['Marie']);
  });

  it('finds phone numbers typed in any form', async () => {
    expect(await names({ search: '0262 40 50' })).toEqual(['Éric']);
    expect(await names({ search: '+262 262 40 50 60' })).toEqual(['Éric']);
    expect(await names({ search: '0692 55 44' })).toEqual(['Lou', 'Noa']);
    expect(await names({ search: '12' })).toEqual([]);
  });

  it('filters by consent status', async () => {
    expect(await names({ consent: 'valid' })).toEqual(['Lou', 'Éric', 'Hélène']);
    expect(await names({ consent: 'missing' })).toEqual(['Marie']);
    expect(await names({ consent: 'guardian_required' })).toEqual(['Noa']);
    const revoked = await listUsers(k.ctx, { consent: 'revoked' });
    expect(revoked.items.map((u) => u.id)).toEqual([ids.gone]);
  });

  it('includes anonymised visitors on request, last by name', async () => {
    const page = await listUsers(k.ctx, { includeAnonymised: true });
    expect(page.items.map((u) => u.id)).toEqual([ids.kidok, ids.eric, ids.marie, ids.kid, ids.helene, ids.gone]);
    expect(page.items.at(-1)).toMatchObject({ firstName: null, consent: { status: 'revoked' } });
  });

  it('sorts by creation date, newest first by default', async () => {
    expect(await names({ sort: 'created_at' })).toEqual(['Lou', 'Noa', 'Marie', 'Éric', 'Hélène']);
    expect(await names({ sort: 'created_at', order: 'asc' })).toEqual(['Hélène', 'Éric', 'Marie', 'Noa', 'Lou']);
    expect(await names({ order: 'desc' })).toEqual(['Hélène', 'Noa', 'Marie', 'Éric', 'Lou']);
  });

  it('pages with a total over all pages', async () => {
    const first = await listUsers(k.ctx, { pageSize: 2 });
    const third = await listUsers(k.ctx, { pageSize: 2, page: 3 });
    expect(first).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(first.items.map((u) => u.firstName)).toEqual(['Lou', 'Éric']);
    expect(third.items.map((u) => u.firstName)).toEqual(['Hélène']);
    expect((await listUsers(k.ctx, { pageSize: 2, page: 9 })).items).toEqual([]);
  });

  it('gives each option set the same answer when asked again among others (queries compiled once per shape)', async () => {
    const sets: ListUsersOptions[] = [
      {}, { search: 'payet' }, { search: 'noa' }, { search: 'payet noa' }, { search: 'noa 0692' }, { search: '0692 55' }, { search: '()' },
      { consent: 'valid' }, { consent: 'guardian_required', search: 'payet' }, { consent: 'revoked' }, { includeAnonymised: true, order: 'desc' },
      { sort: 'created_at', pageSize: 2, page: 2 }, { sort: 'created_at', order: 'asc', pageSize: 3 },
    ];
    const first = [];
    for (const options of sets) first.push(await listUsers(k.ctx, options));
    expect(first[4]!.items.map((u) => u.firstName)).toEqual(['Noa']);
    expect(first[6]!.items).toEqual([]);
    for (const [i, options] of [...sets.entries()].reverse()) expect(await listUsers(k.ctx, options)).toEqual(first[i]);
  });

  it('refuses bad options with clear codes', async () => {
    expect((await errorOf(() => listUsers(k.ctx, { pageSize: 500 }))).code).toBe('PAGE_SIZE_INVALID');
    expect((await errorOf(() => listUsers(k.ctx, { page: 0 }))).code).toBe('PAGE_INVALID');
    expect((await errorOf(() => listUsers(k.ctx, { consent: 'maybe' as never }))).code).toBe('USER_LIST_INVALID');
    expect((await errorOf(() => listUsers(k.ctx, { sort: 'phone' as never }))).code).toBe('USER_LIST_INVALID');
    expect((await errorOf(() => listUsers(k.ctx, { search: 'x'.repeat(201) }))).code).toBe('USER_LIST_INVALID');
  });
});
