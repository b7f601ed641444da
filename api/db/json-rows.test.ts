import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { arrayRowsStatement } from './json-rows.ts';

let native: BetterSqlite3.Database;
const VALUES: unknown[] = [0.1, 1 / 3, 1e300, 5e-324, 2 ** 53 - 1, -(2 ** 53), 2 ** 53 + 2, 'a"b\\c\n\u0000d\u2028é😀', '', null, 1_760_954_240_581, '{"ip":"10.0.0.1"}'];

beforeEach(() => {
  native = new BetterSqlite3(':memory:');
  native.exec('create table t (k integer primary key, a any, s text)');
  const insert = native.prepare('insert into t (a, s) values (?, ?)');
  VALUES.forEach((v, i) => insert.run(v, `s${(i * 7) % 5}`));
});
afterEach(() => native.close());

const plainRows = (sql: string, params: unknown[] = []) => native.prepare(sql).raw(true).all(params);

describe('arrayRowsStatement', () => {
  it('gives the same arrays, values and order as better-sqlite3 raw rows, on ordered pages', () => {
    const queries: Array<[string, unknown[]]> = [
      ['select k, a, s from t order by s desc, k asc limit ? offset ?', [5, 2]],
      ['select k, a, s from t where k in (select k from t order by s, k desc limit ? offset ?) order by s, k desc', [6, 3]],
      ['select k, a from t order by k desc', []],
    ];
    for (const [sql, params] of queries) {
      const rows = arrayRowsStatement(native, sql).all(params) as unknown[][];
      expect(rows).toEqual(plainRows(sql, params));
      // Object.is: -0, NaN and doubles compared exactly.
      rows.flat().forEach((v, i) => expect(Object.is(v, (plainRows(sql, params).flat() as unknown[])[i])).toBe(true));
    }
  });

  it('gives an empty list when nothing matches', () => {
    expect(arrayRowsStatement(native, 'select k, a from t where k < 0').all([])).toEqual([]);
  });

  it('falls back to plain arrays for a BLOB, which JSON cannot hold', () => {
    native.prepare('insert into t (a, s) values (?, ?)').run(Buffer.from([1, 2, 3]), 'blob');
    const sql = "select k, a from t where s = 'blob'";
    expect(arrayRowsStatement(native, sql).all([])).toEqual(plainRows(sql));
  });

  it('reads plain arrays when two columns share a name, and runs writes as they are', () => {
    const sql = 'select k, a as k from t order by k limit 2';
    expect(arrayRowsStatement(native, sql).all([])).toEqual(plainRows(sql));
    const write = arrayRowsStatement(native, "update t set s = 'x' where k = 1");
    expect(write.reader).toBe(false);
    expect(write.run([]).changes).toBe(1);
  });
});
