import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { invalid, notFound } from '../shared/errors.ts';
import { clampPage, toPage, type Page, type PageRequest } from '../shared/pagination.ts';
import { OPERATOR_SORTS, toOperatorView, type OperatorSort, type OperatorView } from './operator-view.ts';
import type { OperatorRole } from './operators-table.ts';

export interface OperatorListQuery extends PageRequest {
  role?: OperatorRole;
  /** Absent means active and inactive alike. */
  active?: boolean;
  /** Free text in the username and display name. */
  q?: string;
  /** Default username. */
  sort?: OperatorSort;
  /** Default asc. */
  order?: 'asc' | 'desc';
}

type Eb = ExpressionBuilder<Database, 'operators'>;

function conditions(eb: Eb, query: OperatorListQuery, q: string): Expression<SqlBool> {
  const all: Expression<SqlBool>[] = [];
  if (query.role !== undefined) all.push(eb('role', '=', query.role));
  if (query.active !== undefined) all.push(eb('active', '=', query.active ? 1 : 0));
  if (q.length > 0) {
    const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    all.push(sql<SqlBool>`(username like ${pattern} escape '\\' or lower(display_name) like ${pattern} escape '\\')`);
  }
  return eb.and(all);
}

function sortExpression(sort: OperatorSort) {
  switch (sort) {
    case 'displayName':
      return sql`lower(display_name)`;
    case 'createdAt':
      return sql`created_at`;
    case 'lastLogin':
      // Never logged in sorts as the oldest login.
      return sql`coalesce(last_login_at, 0)`;
    default:
      return sql`username`;
  }
}

function checked(query: OperatorListQuery): { sort: OperatorSort; order: 'asc' | 'desc'; q: string } {
  const sort = query.sort ?? 'username';
  const order = query.order ?? 'asc';
  if (!(OPERATOR_SORTS as readonly string[]).includes(sort) || (order !== 'asc' && order !== 'desc')) {
    throw invalid('OPERATOR_SORT_INVALID', `Tri inconnu (${OPERATOR_SORTS.join(', ')} ; asc ou desc).`, `Unknown sort (${OPERATOR_SORTS.join(', ')}; asc or desc).`, [
      { field: 'sort', fr: OPERATOR_SORTS.join(', '), en: OPERATOR_SORTS.join(', ') },
    ]);
  }
  const q = (query.q ?? '').trim();
  if (q.length > 100) throw invalid('OPERATOR_QUERY_TOO_LONG', 'Recherche trop longue (100 caractères au plus).', 'Search text too long (at most 100 characters).', [{ field: 'q', fr: '100 caractères au plus', en: 'at most 100 characters' }]);
  return { sort, order, q };
}

/** The admin's list of operators: filtered, sorted, one page. */
export async function listOperators(ctx: Pick<DomainContext, 'db'>, query: OperatorListQuery = {}): Promise<Page<OperatorView>> {
  const page = clampPage(query);
  const { sort, order, q } = checked(query);
  const where = (eb: Eb) => conditions(eb, query, q);
  return reading(async () => {
    const { total } = await ctx.db.selectFrom('operators').select((eb) => eb.fn.countAll<number>().as('total')).where(where).executeTakeFirstOrThrow();
    const rows = await ctx.db.selectFrom('operators').selectAll().where(where).orderBy(sortExpression(sort), order).orderBy('id', order).limit(page.limit).offset(page.offset).execute();
    return toPage(rows.map(toOperatorView), Number(total), page);
  });
}

export async function getOperator(ctx: Pick<DomainContext, 'db'>, id: number): Promise<OperatorView> {
  const row = await reading(() => ctx.db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst());
  if (row === undefined) throw notFound('operator', id);
  return toOperatorView(row);
}
