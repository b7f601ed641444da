import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { beforeAll, describe, expect, it } from 'vitest';
import { revokeConsent } from './user-anonymise.ts';
import { formatPhoneForDisplay } from './phone.ts';
import { createUser, getUser, listUsers } from './users-service.ts';
import { usersKit, visitorInput, type UsersKit } from './users-test-kit.ts';

// A list works out the local day once for all its rows and remembers phone
// display forms: each row must still be exactly what the single view gives.

let k: UsersKit;

beforeAll(async () => {
  k = await usersKit();
  const people = [
    { firstName: 'Adulte', lastName: 'Hoarau', phone: '0692 11 22 33', birthDate: '1980-05-17' },
    { firstName: 'Enfant', lastName: 'Payet', phone: '0262 40 50 60', birthDate: '2016-02-01' },
    { firstName: 'Tutelle', lastName: 'Grondin', phone: '0693 99 88 77', birthDate: '2015-02-01', guardianName: 'Ana Grondin', guardianConsentGiven: true },
    { firstName: 'Sans', lastName: 'Accord', phone: '0692 55 44 34', consentGiven: false },
    { firstName: 'Parti', lastName: 'Abeille', phone: '0692 00 00 01' },
  ];
  for (const p of people) await createUser(k.ctx, k.actor, visitorInput({ notes: null, email: null, ...p }));
  const gone = (await listUsers(k.ctx, { search: 'abeille' })).items[0]!.id;
  await revokeConsent(k.ctx, k.actor, gone);
});

describe('listUsers rows', () => {
  it('are exactly the single view of each visitor (age, guardian, consent, phone)', async () => {
    const page = await listUsers(k.ctx, { includeAnonymised: true });
    expect(page.total).toBe(5);
    for (const row of page.items) expect(row).toEqual(await getUser(k.ctx, row.id));
    const statuses = page.items.map((u) => [u.lastName, u.age === null ? null : u.age >= 18, u.needsGuardian, u.consent.status]);
    expect(statuses).toEqual([
      ['Accord', true, false, 'missing'],
      ['Grondin', false, true, 'valid'],
      ['Hoarau', true, false, 'valid'],
      ['Payet', false, true, 'guardian_required'],
      [null, null, null, 'revoked'],
    ]);
  });
});

describe('formatPhoneForDisplay', () => {
  const reference = (e164: string) => {
    const parsed = parsePhoneNumberFromString(e164);
    return parsed === undefined ? e164 : parsed.country === 'RE' ? parsed.formatNational() : parsed.formatInternational();
  };

  it('gives the same form on every call, remembered or not, past its memory bound', () => {
    const numbers = ['+262692112233', '+262262405060', '+262269612345', '+33612345678', 'not a number'];
    for (let i = 0; i < 25_000; i++) numbers.push(`+262692${String(100000 + i).slice(-6)}`);
    for (const n of numbers) expect(formatPhoneForDisplay(n)).toBe(reference(n));
    for (const n of numbers.slice(0, 100)) expect(formatPhoneForDisplay(n)).toBe(reference(n));
    expect(formatPhoneForDisplay('+262692112233')).toBe('0692 11 22 33');
    expect(formatPhoneForDisplay('+262269612345')).toBe('+262 269 61 23 45');
  });
});
