import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.ts';

describe('statement cache', () => {
  it('prepares a query shape once; when full, evicts first the oldest statement not used since it was cached', () => {
    const native = new BetterSqlite3(':memory:');
    let prepared = 0;
    const real = native.prepare.bind(native);
    native.prepare = ((sql: string) => {
      prepared += 1;
      return real(sql);
    }) as typeof native.prepare;
    const db = withStatementCache(native, 2);
    const a = db.prepare('select ? as v');
    expect(db.prepare('select ? as v')).toBe(a);
    expect(a.all([1])).toEqual([{ v: 1 }]);
    expect(a.all([2])).toEqual([{ v: 2 }]);
    expect(prepared).toBe(1);
    db.prepare('select 2');
    db.prepare('select 3'); // evicts 'select 2' (never reused); 'select ? as v' was used: a second chance
    expect(db.prepare('select ? as v')).toBe(a);
    expect(prepared).toBe(3);
    db.prepare('select 2'); // prepared again: 'select ? as v' is passed over (losing its mark), 'select 3' evicted
    db.prepare('select 4'); // 'select ? as v', not used since: evicted
    db.prepare('select ? as v');
    expect(prepared).toBe(6);
    db.close();
  });

  it('keeps every statement it can hold, whatever the order of use', () => {
    const native = new BetterSqlite3(':memory:');
    const db = withStatementCache(native, 8);
    const first = Array.from({ length: 8 }, (_, i) => db.prepare(`select ${i}`));
    for (let round = 0; round < 3; round++) for (let i = 7; i >= 0; i--) expect(db.prepare(`select ${i}`)).toBe(first[i]);
    db.close();
  });
});
