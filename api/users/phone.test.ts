import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.ts';
import { checkReunionPhone, formatPhoneForDisplay, phoneSearchDigits, toReunionE164 } from './phone.ts';

describe('Réunion phone numbers', () => {
  it.each([
    ['0692 12 34 56', '+262692123456'],
    ['0693123456', '+262693123456'],
    ['0262 12 34 56', '+262262123456'],
    ['0263-12-34-56', '+262263123456'],
    ['(0692) 12.34.56', '+262692123456'],
    ['+262 692 12 34 56', '+262692123456'],
    ['+262692123456', '+262692123456'],
    ['00262 692 12 34 56', '+262692123456'],
    ['  0692123456  ', '+262692123456'],
  ])('stores %s as %s', (input, e164) => {
    expect(toReunionE164(input)).toBe(e164);
  });

  it('shows the FR trap: region FR turns 0692… into a wrong +33 number, ours gives +262', () => {
    const withFrance = parsePhoneNumberFromString('0692123456', 'FR');
    expect(withFrance?.number).toBe('+33692123456');
    expect(withFrance?.isValid()).toBe(false);
    expect(toReunionE164('0692123456')).toBe('+262692123456');
  });

  it.each([
    ['', 'missing'],
    ['abc', 'not a number'],
    ['0692', 'too short'],
    ['06921234567', 'too long'],
    ['0612345678', 'metropolitan mobile typed as national'],
    ['0976123456', 'unassigned range'],
    ['+33 6 12 34 56 78', 'metropolitan France'],
    ['+262 269 61 23 45', 'Mayotte shares +262 but is not RE'],
    ['0800 12 34 56', 'toll-free'],
    ['0692123456 ext. 5', 'extension'],
    ['0692 12 34 56 blah', 'trailing text'],
    ['1'.repeat(41), 'over-long input'],
  ])('rejects %j (%s) with a field-level USER_PHONE_INVALID', (input) => {
    const result = checkReunionPhone(input);
    expect(result.ok).toBe(false);
    try {
      toReunionE164(input);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      const e = error as DomainError;
      expect(e.code).toBe('USER_PHONE_INVALID');
      expect(e.category).toBe('invalid');
      expect(e.fields[0]?.field).toBe('phone');
      expect(e.fields[0]?.fr.length).toBeGreaterThan(0);
      expect(e.fields[0]?.en.length).toBeGreaterThan(0);
    }
  });

  it('says a foreign number is outside Réunion', () => {
    const result = checkReunionPhone('+33612345678');
    expect(result.ok === false && result.issue.en).toMatch(/outside Réunion \(FR\)/);
  });

  it('formats for display in the national form', () => {
    expect(formatPhoneForDisplay('+262692123456')).toBe('0692 12 34 56');
    expect(formatPhoneForDisplay('+262262123456')).toBe('0262 12 34 56');
    expect(formatPhoneForDisplay('garbage')).toBe('garbage');
  });

  it('turns typed fragments into searchable digits', () => {
    expect(phoneSearchDigits('0692 12')).toBe('69212');
    expect(phoneSearchDigits('+262 692')).toBe('692');
    expect(phoneSearchDigits('00262692')).toBe('692');
    expect(phoneSearchDigits('12')).toBe('');
  });
});
