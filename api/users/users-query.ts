import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Database, DbOrTx } from '../db/schema.ts';
import { countedTotal } from '../shared/list-totals.ts';
import { foldForSearch } from './person-fields.ts';
import { phoneSearchDigits } from './phone.ts';
import type { User } from './users-table.ts';

/** Consent statuses a list can filter on (deleted visitors are never listed). */
export type ListConsentFilter = 'valid' | 'missing' | 'guardian_required' | 'revoked';

export interface UserListQuery {
  search?: string;
  consent?: ListConsentFilter;
  includeAnonymised: boolean;
  /** Birth dates after this (YYYY-MM-DD) are under the guardian age today. */
  guardianCutoff: string;
  sort: 'name' | 'created_at';
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

type UsersQuery = SelectQueryBuilder<Database, 'users', object>;
type Eb = ExpressionBuilder<Database, 'users'>;

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function like(eb: Eb, column: 'search_text' | 'phone', text: string): Expression<SqlBool> {
  return sql<SqlBool>`${eb.ref(column)} like ${likePattern(text)} escape ${'\\'}`;
}

/**
 * Free text: a query made only of phone characters is one number fragment
 * ("0692 12 34"); otherwise every word must appear in the names or email
 * (case and accents ignored), or, for digits, in the phone.
 */
function applySearch(q: UsersQuery, search: string): UsersQuery {
  const text = search.trim();
  if (/^[+\d\s().-]+$/.test(text)) {
    const digits = phoneSearchDigits(text);
    return digits === '' ? q.where(sql<SqlBool>`1 = 0`) : q.where((eb) => like(eb, 'phone', digits));
  }
  for (const word of foldForSearch(text).split(' ').filter((w) => w.length > 0)) {
    const digits = phoneSearchDigits(word);
    q = q.where((eb) => (digits === '' ? like(eb, 'search_text', word) : eb.or([like(eb, 'search_text', word), like(eb, 'phone', digits)])));
  }
  return q;
}

function applyConsent(q: UsersQuery, consent: ListConsentFilter, cutoff: string): UsersQuery {
  const minorWithoutGuardian = (eb: Eb) =>
    eb.and([
      eb.or([eb('birth_date', 'is', null), eb('birth_date', '>', cutoff)]),
      eb.or([eb('guardian_name', 'is', null), eb('guardian_consent_at', 'is', null)]),
    ]);
  switch (consent) {
    case 'revoked':
      return q.where('anonymised_at', 'is not', null);
    case 'missing':
      return q.where('anonymised_at', 'is', null).where('consent_at', 'is', null);
    case 'guardian_required':
      return q.where('anonymised_at', 'is', null).where('consent_at', 'is not', null).where(minorWithoutGuardian);
    case 'valid':
      return q.where('anonymised_at', 'is', null).where('consent_at', 'is not', null).where((eb) => eb.not(minorWithoutGuardian(eb)));
  }
}

function filtered(db: DbOrTx, query: UserListQuery): UsersQuery {
  let q: UsersQuery = db.selectFrom('users').where('deleted_at', 'is', null);
  if (!query.includeAnonymised && query.consent !== 'revoked') q = q.where('anonymised_at', 'is', null);
  if (query.search !== undefined && query.search.trim() !== '') q = applySearch(q, query.search);
  if (query.consent !== undefined) q = applyConsent(q, query.consent, query.guardianCutoff);
  return q;
}

/** One page of visitors and the count over all pages. */
export async function listUserRows(db: DbOrTx, query: UserListQuery): Promise<{ rows: User[]; total: number }> {
  const total = await countedTotal(db, 'users', filtered(db, query).select((eb) => eb.fn.countAll().as('n')));
  // The page's ids first, from an index in the list's order (migration 007), then only their rows:
  // the skipped rows are walked in the index, never read from the table.
  const pageIds = sorted(filtered(db, query).select('id'), query).limit(query.limit).offset(query.offset);
  const rows = await sorted(db.selectFrom('users').selectAll().where('id', 'in', pageIds), query).execute();
  return { rows, total };
}

/**
 * search_text starts with the folded last name, so it sorts by name ignoring case and accents;
 * anonymised rows (no name) go last.
 */
function sorted<O>(q: SelectQueryBuilder<Database, 'users', O>, query: UserListQuery): SelectQueryBuilder<Database, 'users', O> {
  return query.sort === 'name'
    ? q.orderBy(sql`search_text is null`).orderBy('search_text', query.order).orderBy('id', query.order)
    : q.orderBy('created_at', query.order).orderBy('id', query.order);
}
