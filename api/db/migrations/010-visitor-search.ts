// Frozen in time: this migration imports no application code.
import { sql, type Kysely } from 'kysely';

/**
 * The visitors' trigram index for search (issue 3). A search tested the
 * folded text of every listed visitor with instr(), walking the name index:
 * ~4,000 entries for a page of "nom42" among 10,000 visitors, all of them for
 * its count. `users_search` holds, per visitor with a name, email or phone,
 * the folded search_text and the phone, cut by FTS5's trigram tokenizer into
 * every run of three characters. A searched word of three characters or more
 * can only be in a visitor holding each of its trigrams, so one rare trigram
 * of the word names a few candidates, and instr() still decides among them
 * (api/users/search-index.ts, users-query.ts).
 *
 * - case_sensitive 1: the text and the searched words are folded already
 *   (lower case, no accents); FTS5 must not fold them a second, different way.
 * - content='': the text lives in `users` only; contentless_delete=1 lets a
 *   row be deleted by rowid. detail=none: only which visitors hold a trigram,
 *   not where (the candidates need no more): ~40 bytes per visitor.
 * - `users_search_terms` (fts5vocab) reads how many visitors hold each
 *   trigram, to pick a word's rarest one; it stores nothing.
 *
 * Triggers keep the index in step with `users` in the writing transaction,
 * whoever writes (the service, a script, the bench's seeding); a rolled-back
 * write leaves it as it was. Only changes of the indexed text touch it.
 *
 * SQLite migrations run outside a transaction (Kysely): every step may run
 * again after an interrupted start, and the backfill starts from an empty index.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create virtual table if not exists users_search using fts5(body, tokenize = 'trigram case_sensitive 1', content = '', contentless_delete = 1, detail = none)`.execute(db);
  await sql`create virtual table if not exists users_search_terms using fts5vocab(users_search, 'row')`.execute(db);
  const body = (row: 'new' | 'old') => `concat_ws(' ', ${row}.search_text, ${row}.phone)`;
  const indexed = (row: 'new' | 'old') => `(${row}.search_text is not null or ${row}.phone is not null)`;
  await sql
    .raw(`create trigger if not exists users_search_insert after insert on users when ${indexed('new')} begin insert into users_search (rowid, body) values (new.id, ${body('new')}); end`)
    .execute(db);
  await sql
    .raw(
      `create trigger if not exists users_search_update after update of id, search_text, phone on users
       when old.id is not new.id or old.search_text is not new.search_text or old.phone is not new.phone
       begin
         delete from users_search where rowid = old.id;
         insert into users_search (rowid, body) select new.id, ${body('new')} where ${indexed('new')};
       end`,
    )
    .execute(db);
  await sql.raw(`create trigger if not exists users_search_delete after delete on users begin delete from users_search where rowid = old.id; end`).execute(db);
  await sql`insert into users_search (users_search) values ('delete-all')`.execute(db);
  await sql`insert into users_search (rowid, body) select id, concat_ws(' ', search_text, phone) from users where search_text is not null or phone is not null`.execute(db);
  await sql`insert into users_search (users_search) values ('optimize')`.execute(db);
}
