import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { withStatementCache } from './statement-cache.ts';

describe('statement cache', () => {
  it('prepares a query shape once and keeps the most recent ones', () => {
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
    db.prepare('select 2');
    db.prepare('select 3'); // evicts 'select ? as v', the least recently used
    db.prepare('select ? as v');
    expect(prepared).toBe(4);
    db.close();
  });
});
