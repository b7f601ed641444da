import { describe, expect, it } from 'vitest';
import { candidatesQuery, trigramsOf } from './search-index.ts';

describe('trigramsOf', () => {
  it('cuts by code point, once each, and none in words shorter than 3', () => {
    expect(trigramsOf('payet')).toEqual(['pay', 'aye', 'yet']);
    expect(trigramsOf('aaaa')).toEqual(['aaa']);
    expect(trigramsOf('ab')).toEqual([]);
    expect(trigramsOf('𝒜bcd')).toEqual(['𝒜bc', 'bcd']);
  });

  it('leaves out trigrams holding a NUL (FTS5 would stop reading the query there)', () => {
    expect(trigramsOf('ab\u0000cde')).toEqual(['cde']);
  });
});

describe('candidatesQuery', () => {
  const counts = new Map([
    ['nom', 10_000],
    ['om4', 2_000],
    ['m42', 210],
    ['692', 9_000],
    ['921', 9_000],
    ['212', 40],
  ]);

  it("asks for each word's rarest trigram (unknown ones count as none) and estimates the fewest", () => {
    expect(candidatesQuery([{ text: 'nom42' }], counts)).toEqual({ query: '"m42"', estimate: 210 });
    expect(candidatesQuery([{ text: 'nom42' }, { text: 'zzz' }], counts)).toEqual({ query: '"m42" AND "zzz"', estimate: 0 });
    expect(candidatesQuery([{ text: 'nom' }], counts)).toEqual({ query: '"nom"', estimate: 10_000 });
  });

  it('lets a word with digits be found in the text or in the phone', () => {
    expect(candidatesQuery([{ text: 'nom4', digits: '6921' }, { text: 'nom' }], counts)).toEqual({ query: '("om4" OR "692") AND "nom"', estimate: 10_000 });
    expect(candidatesQuery([{ text: '69212', digits: '69212' }], counts)).toEqual({ query: '("212" OR "212")', estimate: 80 });
  });

  it('skips words too short to narrow anything, and gives nothing when none is long enough', () => {
    expect(candidatesQuery([{ text: 'a' }, { text: 'nom42' }], counts)?.query).toBe('"m42"');
    expect(candidatesQuery([{ text: 'a' }, { text: 'é' }], counts)).toBeUndefined();
    expect(candidatesQuery([], counts)).toBeUndefined();
  });

  it('quotes every trigram as an FTS5 string', () => {
    expect(candidatesQuery([{ text: 'a"b' }], counts)?.query).toBe('"a""b"');
    expect(candidatesQuery([{ text: 'or*' }, { text: 'a:b' }, { text: '(x)' }], counts)?.query).toBe('"or*" AND "a:b" AND "(x)"');
  });
});
