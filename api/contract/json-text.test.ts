import { describe, expect, it } from 'vitest';
import { JsonText, pageBody } from './json-text.ts';

/** What JSON.stringify writes for the same values, as the writer's bytes should be. */
function written(write: (w: JsonText) => void): string {
  const w = new JsonText();
  write(w);
  return w.take().toString('utf8');
}

describe('JsonText', () => {
  it('writes strings as JSON.stringify does, ASCII or not', () => {
    const samples = ['', 'Payet', 'Hoarau Marie-Thérèse', 'quote " and \\ backslash', 'tab\there\nnew line', '\u0000\u001f\u007f', 'émoji 🌋', 'lone \ud800 surrogate', 'end \udfff', '€'];
    for (const s of samples) expect(written((w) => w.string(s))).toBe(JSON.stringify(s));
    expect(written((w) => w.string(null))).toBe('null');
  });

  it('writes numbers, booleans, null and instants as the serializer does', () => {
    for (const n of [0, -0, 7, 42, 1_000_000, 999_999_999_999_999, 1e15, 2 ** 53, -1, -250, 12.5, 0.1 + 0.2, 1e21]) {
      expect(written((w) => w.number(n))).toBe(JSON.stringify(n));
    }
    expect(written((w) => w.number(null))).toBe('null');
    expect(written((w) => [true, false, null].forEach((b) => w.boolean(b)))).toBe('truefalsenull');
    for (const ms of [0, -1, 1_795_996_800_123, 253_402_300_800_000, -62_167_219_200_001, 8.64e15, -8.64e15]) {
      expect(written((w) => w.instant(ms))).toBe(JSON.stringify(new Date(ms).toISOString()));
    }
    expect(written((w) => w.instant(null))).toBe('null');
    expect(() => written((w) => w.instant(Number.NaN))).toThrow(RangeError);
  });

  it('keeps constant pieces and run-time JSON apart, both as UTF-8', () => {
    expect(written((w) => {
      w.raw('{"clé":');
      w.json(JSON.stringify({ détail: 'ok', n: [1, 2] }));
      w.raw('}');
    })).toBe('{"clé":{"détail":"ok","n":[1,2]}}');
  });

  it('grows past its buffer, and the next writer starts empty', () => {
    const items = Array.from({ length: 3000 }, (_, i) => `visiteur n°${i} ${'x'.repeat(i % 50)}`);
    const body = pageBody({ items, total: 3000, page: 1, pageSize: 3000 }, (w, s) => w.string(s));
    expect(body.length).toBeGreaterThan(64 * 1024);
    expect(JSON.parse(body.toString('utf8'))).toEqual({ items, total: 3000, page: 1, pageSize: 3000 });
    expect(written((w) => w.string('next'))).toBe('"next"');
    expect(pageBody({ items: [], total: 0, page: 1, pageSize: 50 }, () => {}).toString()).toBe('{"items":[],"total":0,"page":1,"pageSize":50}');
  });
});
