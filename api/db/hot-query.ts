import type { Compilable, CompiledQuery } from 'kysely';
import { ARRAY_ROWS_MARK } from './array-rows.ts';
import { directReadOf } from './direct-read.ts';
import type { DbOrTx } from './schema.ts';

/** Stands for argument `index` while the query is built; found again by identity in the parameters. */
class Slot {
  constructor(readonly index: number) {}
}

interface Template {
  query: CompiledQuery;
  /** For each parameter of the compiled query: the argument it takes, or -1 for a constant of the query. */
  slots: number[];
}

/**
 * A query of a fixed shape for the hottest paths (every heartbeat, every
 * station poll): built and compiled by Kysely once per database handle, then
 * run with new values. Building and compiling a query each call costs more
 * than running a small indexed one on SQLite, and allocates a lot for the GC.
 *
 * `build` receives placeholders where the arguments go (scalars only: an
 * array would be expanded at compile time). They are objects found again by
 * identity among the compiled parameters, so a constant of the query can
 * never be taken for an argument. The SQL is the dialect's own. A read on
 * the handle openSqlite returned runs on the connection at once when no
 * transaction is open there (direct-read.ts); otherwise, and on any other
 * handle, the query runs through Kysely's executor (its connection lock, so
 * never inside another caller's open transaction, and its result plugins).
 * A query built on a transaction is compiled for that call only.
 */
export function hotQuery<A extends readonly unknown[], R>(arity: A['length'], build: (db: DbOrTx, ...args: A) => Compilable<R>): (db: DbOrTx, ...args: A) => Promise<R[]> {
  const compiled = hotCompiled(arity, build);
  return async (db, ...args) => {
    const query = compiled(db, ...args);
    // On the SQLite handle itself, outside any open transaction: run at once (direct-read.ts).
    const rows = directReadOf(db)?.(query);
    return rows !== undefined ? (rows as R[]) : (await db.executeQuery<R>(query)).rows;
  };
}

/**
 * The compiled query of hotQuery with the arguments filled in, for a caller
 * that runs it itself, e.g. on a transaction of the same database: compiled
 * on the database handle (cached), the SQL is the same on its transactions.
 */
export function hotCompiled<A extends readonly unknown[], R>(arity: A['length'], build: (db: DbOrTx, ...args: A) => Compilable<R>): (db: DbOrTx, ...args: A) => CompiledQuery<R> {
  const templates = new WeakMap<DbOrTx, Template>();
  return (db, ...args) => {
    let template = templates.get(db);
    if (template === undefined) {
      template = compileTemplate(db, arity, build);
      if (!db.isTransaction) templates.set(db, template);
    }
    const { query, slots } = template;
    const parameters = query.parameters.map((value, i) => (slots[i]! < 0 ? value : args[slots[i]!]));
    return { ...query, parameters } as CompiledQuery<R>;
  };
}

function compileTemplate<A extends readonly unknown[], R>(db: DbOrTx, arity: number, build: (db: DbOrTx, ...args: A) => Compilable<R>): Template {
  const placeholders = Array.from({ length: arity }, (_, i) => new Slot(i));
  const query = build(db, ...(placeholders as unknown as A)).compile();
  const slots = query.parameters.map((value) => (value instanceof Slot ? value.index : -1));
  const missing = placeholders.filter((p) => !slots.includes(p.index));
  if (missing.length > 0) throw new Error(`hotQuery: argument ${missing[0]!.index} does not appear in the query (an array, or not used)`);
  return { query, slots };
}

/** Shapes kept per database handle: a list's filter combinations in use, bounded. */
const MAX_SHAPES = 128;

/**
 * hotCompiled for a query whose shape depends on options (which filters are
 * present, the sort, how many search words): one compiled template per
 * distinct `shape` (compared as JSON, so it must hold every option that
 * changes the SQL and nothing else), per database handle, the most recent
 * MAX_SHAPES kept. `build` receives placeholders for `args`, which must all
 * appear as parameters of the query, in any order. With `arrayRows`, the SQL
 * carries ARRAY_ROWS_MARK (run it with arrayRows()).
 */
export function shapedCompiled<S, R>(
  build: (db: DbOrTx, shape: S, args: readonly unknown[]) => Compilable<R>,
  options: { arrayRows?: boolean } = {},
): (db: DbOrTx, shape: S, args: readonly unknown[]) => CompiledQuery<R> {
  const templates = new WeakMap<DbOrTx, Map<string, Template>>();
  return (db, shape, args) => {
    const key = `${args.length}:${JSON.stringify(shape)}`;
    let shapes = templates.get(db);
    let template = shapes?.get(key);
    if (template === undefined) {
      template = compileTemplate(db, args.length, (h, ...slots: unknown[]) => build(h, shape, slots));
      if (options.arrayRows === true) template = { ...template, query: { ...template.query, sql: ARRAY_ROWS_MARK + template.query.sql } };
      if (!db.isTransaction) {
        if (shapes === undefined) templates.set(db, (shapes = new Map()));
        if (shapes.size >= MAX_SHAPES) shapes.delete(shapes.keys().next().value!);
        shapes.set(key, template);
      }
    }
    const { query, slots } = template;
    const parameters = query.parameters.map((value, i) => (slots[i]! < 0 ? value : args[slots[i]!]));
    return { ...query, parameters } as CompiledQuery<R>;
  };
}
