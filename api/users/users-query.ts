import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { arrayRows, type RowOf } from '../db/array-rows.ts';
import { shapedCompiled } from '../db/hot-query.ts';
import { rowsOfPage } from '../db/page-rows.ts';
import type { Database, DbOrTx } from '../db/schema.ts';
import { countedTotal } from '../shared/list-totals.ts';
import { foldForSearch } from './person-fields.ts';
import { phoneSearchDigits } from './phone.ts';
import { searchCandidates, type SearchWord } from './search-index.ts';
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

/**
 * What decides the SQL of a list (compiled once per shape, hot-query.ts); the
 * values (search words, guardian cutoff, limit, offset) are bound per call.
 * `search`: none, a phone fragment, a fragment with no digit (matches
 * nothing), or per word whether it is also tried as phone digits.
 * `indexed`: the search's candidates come from the trigram index (an FTS5
 * query, search-index.ts, is the first value); the words are tested as before.
 */
interface UsersShape {
  search: 'none' | 'phone' | 'nothing' | Array<'text' | 'text+phone'>;
  indexed: boolean;
  consent: ListConsentFilter | null;
  includeAnonymised: boolean;
  sort: UserListQuery['sort'];
  order: UserListQuery['order'];
}

/**
 * `text` appears in the column. search_text and the searched words are both
 * folded (lower case, no accents) and phones are digits, so a plain substring
 * test says what `like '%text%'` said, without wildcards to escape and about
 * a fifth cheaper per row (a search walks the list's index row by row).
 */
function contains(eb: Eb, column: 'search_text' | 'phone', text: unknown): Expression<SqlBool> {
  return sql<SqlBool>`instr(${eb.ref(column)}, ${text}) > 0`;
}

/**
 * Free text: a query made only of phone characters is one number fragment
 * ("0692 12 34"); otherwise every word must appear in the names or email
 * (case and accents ignored), or, for digits, in the phone.
 */
function searchShape(search: string | undefined, args: unknown[], words: SearchWord[]): UsersShape['search'] {
  const text = search?.trim() ?? '';
  if (text === '') return 'none';
  if (/^[+\d\s().-]+$/.test(text)) {
    const digits = phoneSearchDigits(text);
    if (digits === '') return 'nothing';
    args.push(digits);
    words.push({ text: digits });
    return 'phone';
  }
  return foldForSearch(text)
    .split(' ')
    .filter((w) => w.length > 0)
    .map((word) => {
      const digits = phoneSearchDigits(word);
      args.push(word);
      if (digits === '') {
        words.push({ text: word });
        return 'text';
      }
      args.push(digits);
      words.push({ text: word, digits });
      return 'text+phone';
    });
}

/** The shape of a list query and its filter values, in the order filtered() takes them. */
async function shapeOf(db: DbOrTx, query: UserListQuery, maxCandidates?: number): Promise<{ shape: UsersShape; args: unknown[] }> {
  const args: unknown[] = [];
  const words: SearchWord[] = [];
  const search = searchShape(query.search, args, words);
  const candidates = search === 'none' || search === 'nothing' ? undefined : await searchCandidates(db, words, maxCandidates);
  if (candidates !== undefined) args.unshift(candidates);
  const consent = query.consent ?? null;
  if (consent === 'valid' || consent === 'guardian_required') args.push(query.guardianCutoff);
  const shape = { search, indexed: candidates !== undefined, consent, includeAnonymised: query.includeAnonymised, sort: query.sort, order: query.order };
  return { shape, args };
}

function applySearch(q: UsersQuery, search: UsersShape['search'], next: () => unknown): UsersQuery {
  if (search === 'none') return q;
  if (search === 'nothing') return q.where(sql<SqlBool>`1 = 0`);
  if (search === 'phone') {
    const digits = next();
    return q.where((eb) => contains(eb, 'phone', digits));
  }
  for (const kind of search) {
    const text = next();
    const digits = kind === 'text+phone' ? next() : undefined;
    q = q.where((eb) => (digits === undefined ? contains(eb, 'search_text', text) : eb.or([contains(eb, 'search_text', text), contains(eb, 'phone', digits)])));
  }
  return q;
}

function applyConsent(q: UsersQuery, consent: ListConsentFilter, next: () => unknown): UsersQuery {
  const cutoff = consent === 'valid' || consent === 'guardian_required' ? next() : undefined;
  const minorWithoutGuardian = (eb: Eb) =>
    eb.and([
      eb.or([eb('birth_date', 'is', null), eb('birth_date', '>', cutoff as string)]),
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

/** The list's rows before paging; takes the filter values from `args` in shapeOf's order. */
function filtered(db: DbOrTx, shape: UsersShape, args: readonly unknown[]): UsersQuery {
  let i = 0;
  const next = () => args[i++];
  let q: UsersQuery = db.selectFrom('users').where('deleted_at', 'is', null);
  // The candidates (a superset of the matches) by rowid, before the words' own tests.
  if (shape.indexed) q = q.where(sql<SqlBool>`${sql.ref('id')} in (select rowid from users_search where users_search match ${next()})`);
  if (!shape.includeAnonymised && shape.consent !== 'revoked') q = q.where('anonymised_at', 'is', null);
  q = applySearch(q, shape.search, next);
  if (shape.consent !== null) q = applyConsent(q, shape.consent, next);
  return q;
}

/** A visitor as a list shows them: every column but search_text. */
export type ListedUser = Omit<User, 'search_text'>;

/** The columns of a listed visitor, in the order userFromRow reads them. */
const LISTED_COLUMNS = [
  'id', 'first_name', 'last_name', 'birth_date', 'phone', 'email', 'photo_key', 'photo_mime', 'guardian_name', 'guardian_consent_at',
  'consent_at', 'consent_text_version', 'consent_revoked_at', 'anonymised_at', 'deleted_at', 'notes', 'created_by', 'created_at', 'updated_at',
] as const satisfies ReadonlyArray<keyof ListedUser>;
type ListedRow = RowOf<ListedUser, typeof LISTED_COLUMNS>;

function userFromRow(r: ListedRow): ListedUser {
  return {
    id: r[0], first_name: r[1], last_name: r[2], birth_date: r[3], phone: r[4], email: r[5], photo_key: r[6], photo_mime: r[7], guardian_name: r[8],
    guardian_consent_at: r[9], consent_at: r[10], consent_text_version: r[11], consent_revoked_at: r[12], anonymised_at: r[13], deleted_at: r[14],
    notes: r[15], created_by: r[16], created_at: r[17], updated_at: r[18],
  };
}

const countQuery = shapedCompiled((db, shape: UsersShape, args) => filtered(db, shape, args).select((eb) => eb.fn.countAll().as('n')));

// The page's ids first, from an index in the list's order (migration 007), then only their rows:
// the skipped rows are walked in the index, never read from the table (page-rows.ts). Limit and
// offset come last.
const pageQuery = shapedCompiled(
  (db, shape: UsersShape, args) => {
    const pageIds = sorted(filtered(db, shape, args.slice(0, -2)).select('id'), shape).limit(args.at(-2) as number).offset(args.at(-1) as number);
    return rowsOfPage(db, 'users', pageIds, LISTED_COLUMNS);
  },
  { arrayRows: true },
);

/**
 * One page of visitors and the count over all pages. `maxIndexedCandidates`
 * (tests): a search uses the trigram index up to that many estimated
 * candidates (search-index.ts; 0: never).
 */
export async function listUserRows(db: DbOrTx, query: UserListQuery, options: { maxIndexedCandidates?: number } = {}): Promise<{ rows: ListedUser[]; total: number }> {
  const { shape, args } = await shapeOf(db, query, options.maxIndexedCandidates);
  const total = await countedTotal(db, 'users', countQuery(db, shape, args));
  if (query.limit === 0) return { rows: [], total };
  const rows = await arrayRows<ListedRow>(db, pageQuery(db, shape, [...args, query.limit, query.offset]));
  return { rows: rows.map(userFromRow), total };
}

/**
 * search_text starts with the folded last name, so it sorts by name ignoring case and accents;
 * anonymised rows (no name) go last.
 */
function sorted<O>(q: SelectQueryBuilder<Database, 'users', O>, shape: Pick<UsersShape, 'sort' | 'order'>): SelectQueryBuilder<Database, 'users', O> {
  return shape.sort === 'name'
    ? q.orderBy(sql`search_text is null`).orderBy('search_text', shape.order).orderBy('id', shape.order)
    : q.orderBy('created_at', shape.order).orderBy('id', shape.order);
}
