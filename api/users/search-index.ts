import { CompiledQuery } from 'kysely';
import { directReadOf } from '../db/direct-read.ts';
import type { DbOrTx } from '../db/schema.ts';

/**
 * Candidates of a visitor search from the trigram index (migration 010,
 * `users_search`: the folded search_text and the phone of each visitor, cut
 * into every run of three characters). A word of three characters or more can
 * only be in a visitor holding every trigram of it, so any one of its
 * trigrams names a superset of the visitors it matches; the list still tests
 * each word with instr() among those candidates (users-query.ts), so its
 * answer is the one a walk of every visitor gives. Words shorter than three
 * characters have no trigram: they narrow nothing here, instr() alone tests them.
 *
 * FTS5 intersects the doclists of all the trigrams it is given, which costs
 * as much as the most common one holds ("nom", "692": nearly every visitor),
 * so each word asks for its rarest trigram only, as counted by the index
 * (`users_search_terms`) in a snapshot kept per database handle. A stale
 * snapshot only makes the choice less good, never the answer different.
 */

/** A searched word (folded) and, when it has at least 3 digits, the digits also tried in the phone. */
export interface SearchWord {
  text: string;
  digits?: string;
}

/**
 * Above this many estimated candidates, at least MIN_WALK_THRESHOLD, a search
 * walks the name index instead (users-query.ts). Reading and sorting a
 * candidate costs ~0.3 µs, walking an index entry ~0.04 µs: when many
 * visitors match, a walk fills a page after a few entries, and counting them
 * all (~0.085 µs a visitor) costs about what reading 1/8 of them as candidates does.
 */
const WALK_ABOVE_SHARE = 1 / 8;
const MIN_WALK_THRESHOLD = 200;

interface TermCounts {
  /** The `users` counter of list_versions (migration 007) when counted. */
  version: number;
  /** Changes of `users` after which the counts are read again. */
  refreshAfter: number;
  /** Most candidates worth reading rather than walking the name index. */
  maxCandidates: number;
  /** Searches since the counter was last read. */
  uses: number;
  counts: Map<string, number>;
}

const snapshots = new WeakMap<object, TermCounts>();
/** The counter is read once per this many searches: a snapshot a few searches late only chooses less well. */
const VERSION_EVERY = 32;
const VERSION = CompiledQuery.raw(`select version from list_versions where name = 'users'`, []);
const TERMS = CompiledQuery.raw('select term, doc from users_search_terms', []);
const VISITORS = CompiledQuery.raw('select count(*) as n from users', []);

async function read<R>(db: DbOrTx, query: CompiledQuery): Promise<R[]> {
  return (directReadOf(db)?.(query) ?? (await db.executeQuery(query)).rows) as R[];
}

/** Distinct trigrams of `text`, by code point (as FTS5 cuts them). */
export function trigramsOf(text: string): string[] {
  const chars = Array.from(text);
  const found = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) {
    const trigram = chars[i]! + chars[i + 1]! + chars[i + 2]!;
    // FTS5 reads a query only up to a NUL; folded names, email and phones never hold one.
    if (!trigram.includes('\u0000')) found.add(trigram);
  }
  return [...found];
}

function phrase(trigram: string): string {
  return `"${trigram.replaceAll('"', '""')}"`;
}

/** The trigram of `text` the fewest visitors hold (unknown ones count 0), or undefined when it has none. */
function rarest(text: string, counts: ReadonlyMap<string, number>): { trigram: string; count: number } | undefined {
  let best: { trigram: string; count: number } | undefined;
  for (const trigram of trigramsOf(text)) {
    const count = counts.get(trigram) ?? 0;
    if (best === undefined || count < best.count) best = { trigram, count };
  }
  return best;
}

/**
 * The FTS5 query whose matches include every visitor holding all `words`
 * (each in the text, or its digits in the phone), with an estimate of how
 * many it names; undefined when no word has a trigram.
 */
export function candidatesQuery(words: readonly SearchWord[], counts: ReadonlyMap<string, number>): { query: string; estimate: number } | undefined {
  const clauses: string[] = [];
  let estimate = Infinity;
  for (const word of words) {
    const text = rarest(word.text, counts);
    // A word with digits has 3 characters at least, so it always has a trigram of its own.
    if (text === undefined) continue;
    const digits = word.digits === undefined ? undefined : rarest(word.digits, counts);
    clauses.push(digits === undefined ? phrase(text.trigram) : `(${phrase(text.trigram)} OR ${phrase(digits.trigram)})`);
    estimate = Math.min(estimate, text.count + (digits?.count ?? 0));
  }
  return clauses.length === 0 ? undefined : { query: clauses.join(' AND '), estimate };
}

/** How many visitors hold each trigram: the snapshot of `db`, read again once `users` changed enough. */
async function termCounts(db: DbOrTx): Promise<TermCounts> {
  const known = snapshots.get(db);
  if (known !== undefined && ++known.uses < VERSION_EVERY) return known;
  const [row] = await read<{ version: number }>(db, VERSION);
  const version = row?.version ?? 0;
  if (known !== undefined && Math.abs(version - known.version) < known.refreshAfter) {
    known.uses = 0;
    return known;
  }
  const terms = await read<{ term: string; doc: number }>(db, TERMS);
  const visitors = Number((await read<{ n: number }>(db, VISITORS))[0]?.n ?? 0);
  const snapshot = {
    version,
    refreshAfter: 64 + Math.floor(visitors / 8),
    maxCandidates: Math.max(MIN_WALK_THRESHOLD, Math.floor(visitors * WALK_ABOVE_SHARE)),
    uses: 0,
    counts: new Map(terms.map((t) => [t.term, t.doc])),
  };
  snapshots.set(db, snapshot);
  return snapshot;
}

/**
 * The FTS5 query naming the candidates of a search, or undefined when the
 * search should walk the name index: no word of 3 characters or more, more
 * estimated candidates than `maxCandidates` (default: 1/8 of the visitors,
 * 200 at least), or inside a transaction (a snapshot is kept per handle; a
 * search is a read of its own in the product).
 */
export async function searchCandidates(db: DbOrTx, words: readonly SearchWord[], maxCandidates?: number): Promise<string | undefined> {
  if (db.isTransaction || maxCandidates === 0 || !words.some((w) => Array.from(w.text).length >= 3)) return undefined;
  const snapshot = await termCounts(db);
  const found = candidatesQuery(words, snapshot.counts);
  return found !== undefined && found.estimate <= (maxCandidates ?? snapshot.maxCandidates) ? found.query : undefined;
}
