import { describe, expect, it } from 'vitest';
import { ageAt, bornOnOrBefore, checkBirthDate, parseCalendarDate } from './birth-date.ts';
import { checkEmail, checkName, checkNotes, foldForSearch, searchTextOf } from './person-fields.ts';

const TZ = 'Indian/Reunion';
// 2026-03-02 08:00 UTC is 12:00 in Réunion.
const NOW = Date.parse('2026-03-02T08:00:00Z');

describe('birth dates and age', () => {
  it('parses only real calendar dates', () => {
    expect(parseCalendarDate('2012-02-29')).toEqual({ year: 2012, month: 2, day: 29 });
    expect(parseCalendarDate('2013-02-29')).toBeUndefined();
    expect(parseCalendarDate('2013-13-01')).toBeUndefined();
    expect(parseCalendarDate('01/02/2013')).toBeUndefined();
    expect(parseCalendarDate('2013-2-1')).toBeUndefined();
  });

  it('accepts exactly the dates a Date round trip accepts (the check it replaced)', () => {
    const byRoundTrip = (y: number, m: number, d: number) => {
      const probe = new Date(Date.UTC(y, m - 1, d));
      return probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
    };
    const pad = (n: number, w: number) => String(n).padStart(w, '0');
    for (const year of [0, 1, 99, 100, 1600, 1700, 1900, 1999, 2000, 2004, 2023, 2024, 2100, 2400, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const parsed = parseCalendarDate(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`);
          expect(parsed !== undefined, `${year}-${month}-${day}`).toBe(byRoundTrip(year, month, day));
        }
      }
    }
  });

  it('computes the age on the local day, not the UTC day', () => {
    // 21:30 UTC on 2 March is already 3 March in Réunion: a 3 March birthday counts.
    const lateEvening = Date.parse('2026-03-02T21:30:00Z');
    expect(ageAt('2011-03-03', lateEvening, TZ)).toBe(15);
    expect(ageAt('2011-03-03', lateEvening, 'UTC')).toBe(14);
  });

  it('ages someone born on 29 February on 1 March in common years', () => {
    expect(ageAt('2012-02-29', Date.parse('2027-02-28T08:00:00Z'), TZ)).toBe(14);
    expect(ageAt('2012-02-29', Date.parse('2027-03-01T08:00:00Z'), TZ)).toBe(15);
  });

  it('gives the same minor/adult cut as the age', () => {
    for (const at of ['2027-02-28T08:00:00Z', '2027-03-01T08:00:00Z', '2026-03-02T21:30:00Z']) {
      const now = Date.parse(at);
      const cutoff = bornOnOrBefore(15, now, TZ);
      for (const birth of ['2012-02-28', '2012-02-29', '2012-03-01', '2011-03-02', '2011-03-03', '2011-03-04']) {
        expect(birth <= cutoff, `${birth} at ${at}`).toBe(ageAt(birth, now, TZ)! >= 15);
      }
    }
  });

  it.each([
    ['2026-03-03', /future/],
    ['1905-03-01', /over 120/],
    ['2026-02-30', /YYYY-MM-DD/],
    ['hier', /YYYY-MM-DD/],
  ])('rejects %s', (input, message) => {
    const result = checkBirthDate(input, NOW, TZ);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issue.code).toBe('USER_BIRTH_DATE_INVALID');
      expect(result.issue.en).toMatch(message);
    }
  });

  it('accepts today and exactly 120 years', () => {
    expect(checkBirthDate('2026-03-02', NOW, TZ)).toEqual({ ok: true, value: '2026-03-02' });
    expect(checkBirthDate('1906-03-02', NOW, TZ).ok).toBe(true);
  });
});

describe('names, email, notes', () => {
  it.each(['Jean-Marie', "N'Guyen", 'Marie Thérèse', 'Payet  ', 'Ah-Hot', 'St. Denis', 'Sœur', 'Zoé’s'])('accepts the name %j', (name) => {
    expect(checkName(name, 'firstName').ok).toBe(true);
  });

  it.each(['', '   ', 'R2D2', '<script>', '-Jean', 'a'.repeat(101)])('rejects the name %j', (name) => {
    const result = checkName(name, 'lastName');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issue).toMatchObject({ code: 'USER_NAME_INVALID', field: 'lastName' });
  });

  it('collapses inner whitespace', () => {
    expect(checkName('  Marie   Thérèse ', 'firstName')).toEqual({ ok: true, value: 'Marie Thérèse' });
  });

  it('accepts sane emails and lower-cases the domain', () => {
    expect(checkEmail(' Marie.Payet+epn@Example.RE ')).toEqual({ ok: true, value: 'Marie.Payet+epn@example.re' });
    expect(checkEmail('')).toEqual({ ok: true, value: null });
    expect(checkEmail(null)).toEqual({ ok: true, value: null });
  });

  it.each(['marie', 'marie@', '@example.re', 'marie@example', 'ma rie@example.re', 'marie@@example.re', 'marie..p@example.re', 'marie@-x.re', 'marie@example.r3'])(
    'rejects the email %j',
    (email) => {
      const result = checkEmail(email);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issue.code).toBe('USER_EMAIL_INVALID');
    },
  );

  it('keeps notes with newlines, refuses control characters and huge notes', () => {
    expect(checkNotes('Vient le mardi.\nAide pour CAF.')).toEqual({ ok: true, value: 'Vient le mardi.\nAide pour CAF.' });
    expect(checkNotes('  ')).toEqual({ ok: true, value: null });
    expect(checkNotes('a\u0007b').ok).toBe(false);
    expect(checkNotes('x'.repeat(2001)).ok).toBe(false);
  });

  it('folds case and accents for search', () => {
    expect(foldForSearch('Hélène  PAYET')).toBe('helene payet');
    expect(searchTextOf({ first_name: 'Éric', last_name: 'Hoarau', email: null })).toBe('hoarau eric');
    expect(searchTextOf({ first_name: null, last_name: null, email: null })).toBeNull();
  });
});
