import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.ts';
import { CODE_ALPHABET, codeFingerprint, cryptoRandom, formatCode, generateCode, normaliseCode, parseCode } from './access-code.ts';

describe('access code alphabet', () => {
  it('has no look-alikes and no duplicates', () => {
    for (const c of '0O1IL') expect(CODE_ALPHABET).not.toContain(c);
    expect(new Set(CODE_ALPHABET).size).toBe(CODE_ALPHABET.length);
    expect(CODE_ALPHABET).toMatch(/^[A-Z2-9]+$/);
    expect(CODE_ALPHABET.length).toBe(31);
  });
});

describe('generateCode', () => {
  it('draws the asked length from the alphabet', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateCode(8);
      expect(code).toHaveLength(8);
      expect([...code].every((c) => CODE_ALPHABET.includes(c))).toBe(true);
    }
  });

  it('uses every alphabet character, roughly evenly (statistical sanity)', () => {
    const counts = new Map<string, number>();
    const draws = 4000; // 32,000 characters, ~1,032 expected per symbol
    for (let i = 0; i < draws; i++) for (const c of generateCode(8, cryptoRandom)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(CODE_ALPHABET.length);
    const expected = (draws * 8) / CODE_ALPHABET.length;
    // ±25 % is > 7 standard deviations away: a biased or truncated draw fails, chance does not.
    for (const n of counts.values()) {
      expect(n).toBeGreaterThan(expected * 0.75);
      expect(n).toBeLessThan(expected * 1.25);
    }
  });

  it('follows an injected random source', () => {
    expect(generateCode(4, { int: () => 0 })).toBe('AAAA');
    expect(generateCode(2, { int: (n) => n - 1 })).toBe('99');
  });
});

describe('formatCode', () => {
  it('shows XXXX-XXXX', () => {
    expect(formatCode('ABCD2345')).toBe('ABCD-2345');
    expect(formatCode('ABCDEFGHJK')).toBe('ABCD-EFGH-JK');
  });
});

describe('parseCode / normaliseCode', () => {
  it.each([
    ['ABCD-2345', 'ABCD2345'],
    ['abcd2345', 'ABCD2345'],
    [' ab cd - 23 45 ', 'ABCD2345'],
    ['ABCD–2345', 'ABCD2345'], // en dash from a copied PDF
    ['abcd\t2345\n', 'ABCD2345'],
  ])('accepts %j as %s', (input, code) => {
    expect(normaliseCode(input, 8)).toBe(code);
  });

  it.each([
    ['ABCD-234', 'length'],
    ['ABCD-23456', 'length'],
    ['', 'length'],
    ['ABCD-O345', 'characters'], // letter O
    ['ABCD-0345', 'characters'], // zero
    ['ABCD-1345', 'characters'],
    ['ABCI-2345', 'characters'],
    ['ABCL-2345', 'characters'],
    ['ABC!-2345', 'characters'],
    ['ABCÉ-2345', 'characters'],
  ])('rejects %j (%s)', (input) => {
    const r = parseCode(input, 8);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toBeInstanceOf(DomainError);
      expect(r.error.code).toBe('CODE_MALFORMED');
      expect(r.error.category).toBe('invalid');
      expect(r.error.fr).toContain('XXXX-XXXX');
      expect(r.error.fields[0]?.field).toBe('code');
    }
  });

  it('rejects a non-string', () => {
    expect(() => normaliseCode(undefined, 8)).toThrow(/CODE_MALFORMED/);
    expect(() => normaliseCode(12345678, 8)).toThrow(/CODE_MALFORMED/);
  });

  it('says which rule failed', () => {
    expect(() => normaliseCode('ABC', 8)).toThrow(/8 characters/);
    expect(() => normaliseCode('ABCD0000', 8)).toThrow(/no I, L, O/);
  });
});

describe('codeFingerprint', () => {
  it('is short, stable and does not contain the code', () => {
    expect(codeFingerprint('ABCD2345')).toMatch(/^[0-9a-f]{8}$/);
    expect(codeFingerprint('ABCD2345')).toBe(codeFingerprint('ABCD2345'));
    expect(codeFingerprint('ABCD2345')).not.toBe(codeFingerprint('ABCD2346'));
  });
});
