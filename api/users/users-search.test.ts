import { beforeAll, describe, expect, it } from 'vitest';
import { foldForSearch } from './person-fields.ts';
import { checkReunionPhone } from './phone.ts';
import { searchCandidates } from './search-index.ts';
import { deleteUser, revokeConsent } from './user-anonymise.ts';
import { listUserRows, type UserListQuery } from './users-query.ts';
import { createUser, updateUser } from './users-service.ts';
import { usersKit, visitorInput, type UsersKit } from './users-test-kit.ts';

// The trigram index (migration 010, search-index.ts) only chooses which visitors are tested:
// the same searches through the old walk (instr() on every listed visitor) and through the
// index must give the same pages and totals, whatever the words.

const FIRST = ['Marie', 'Jean-Marc', 'Éloïse', 'Noël', 'Zoé', 'Anaïs', 'Loïc', 'Thérèse', 'Marie-Ange', 'Ève', 'Lou', 'Ah', 'Björn', 'Ọlá', 'Ångström'];
const LAST = ['Payet', 'Hoarau', "D'Abadie", 'Técher', 'Grondin', 'Fontaine', 'Rivière', 'N’Guyen', 'Lebon', 'Boyer', 'Ah-Hoye', 'Dijoux', 'Çelik', 'Ng', 'Saint-Ange'];
const DOMAINS = ['example.re', 'mail.fr', 'orange.re', 'gmail.com'];

/** A small deterministic generator, so a failing case can be run again. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rnd = random(20261124);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

function phone(): string {
  for (;;) {
    const candidate = rnd() < 0.8 ? `0692${digits(6)}` : `02624${digits(5)}`;
    if (checkReunionPhone(candidate).ok) return candidate;
  }
}

let k: UsersKit;
const texts: string[] = [];

beforeAll(async () => {
  k = await usersKit();
  for (let i = 0; i < 160; i++) {
    k.clock.advance(1000);
    const first = pick(FIRST);
    const last = pick(LAST);
    const email = rnd() < 0.6 ? `${foldForSearch(first).replace(/[^a-z]/g, '')}.${i}@${pick(DOMAINS)}` : null;
    const user = await createUser(k.ctx, k.actor, visitorInput({ firstName: first, lastName: last, email, phone: phone(), notes: null, consentGiven: rnd() < 0.8 }));
    texts.push(foldForSearch(`${last} ${first} ${email ?? ''}`), user.phone!);
    if (i % 17 === 3) await revokeConsent(k.ctx, k.actor, user.id);
    else if (i % 19 === 5) await deleteUser(k.ctx, k.actor, user.id);
    else if (i % 13 === 7) await updateUser(k.ctx, k.actor, user.id, { lastName: pick(LAST), phone: phone() });
  }
});

/** Fixed searches: short words, accents, apostrophes, hyphens, digits, phone fragments, nothing, everything. */
const FIXED = [
  'a', 'e', 'é', 'É', 'ng', 'ah', "'", '’', '-', '.', '@', '%', '_', '"', 'payet', 'PAYET', 'Técher', 'techer', 'tech', "d'ab", 'd’ab', "n'guyen",
  'n’g', 'jean-marc', 'marc jean', 'ah-hoye', 'hoye ah', 'saint-ange', 'ange', 'eloise', 'éloïse', 'noel', 'bjorn', 'björn', 'ola', 'ångström', 'angstrom',
  'gmail', 'gmail.com', '.re', 'example.re', 'marie 0692', 'payet 12', 'payet 123', '0692', '0692 1', '692 12', '+262 692', '00262 692', '0262 4',
  '12', '123', '1234', '4 5', '(0692) 12-34', 'zzz', 'zzzz payet', 'qu"ote', 'and', 'not near', '(x)', 'a:b', 'or*', '^ab', 'nul\u0000bc', '𝒜bc', 'x'.repeat(200), '', '   ', 'marie marie', 'ie ie ie',
];

/** Random pieces of the visitors' texts and phones, 1 to 7 characters, one or two words. */
function randomSearches(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const words = Array.from({ length: rnd() < 0.7 ? 1 : 2 }, () => {
      const text = pick(texts);
      const start = Math.floor(rnd() * text.length);
      return text.slice(start, start + 1 + Math.floor(rnd() * 7));
    });
    out.push(words.join(' '));
  }
  return out;
}

function query(search: string, overrides: Partial<UserListQuery> = {}): UserListQuery {
  return { search, includeAnonymised: false, guardianCutoff: '2011-11-24', sort: 'name', order: 'asc', offset: 0, limit: 1000, ...overrides };
}

async function both(q: UserListQuery) {
  const walked = await listUserRows(k.db, q, { maxIndexedCandidates: 0 });
  const indexed = await listUserRows(k.db, q, { maxIndexedCandidates: Number.POSITIVE_INFINITY });
  const usual = await listUserRows(k.db, q);
  return { walked: { ids: walked.rows.map((r) => r.id), total: walked.total }, indexed: { ids: indexed.rows.map((r) => r.id), total: indexed.total }, usual };
}

describe('visitor search through the trigram index', () => {
  it('gives the same visitors and totals as the walk for fixed and random searches', async () => {
    let matched = 0;
    let long = 0;
    for (const search of [...FIXED, ...randomSearches(400)]) {
      const { walked, indexed, usual } = await both(query(search));
      expect(indexed, search).toEqual(walked);
      expect({ ids: usual.rows.map((r) => r.id), total: usual.total }, search).toEqual(walked);
      if (walked.total > 0) matched++;
      if (search.split(' ').some((w) => Array.from(w).length >= 3)) long++;
    }
    // The cases are not trivially empty, and most of them can use the index.
    expect(matched).toBeGreaterThan(250);
    expect(long).toBeGreaterThan(250);
  });

  it('gives the same pages in every order, with filters, anonymised visitors and offsets', async () => {
    const variants: Array<Partial<UserListQuery>> = [
      { sort: 'name', order: 'desc', limit: 7, offset: 3 },
      { sort: 'created_at', order: 'desc', limit: 5 },
      { sort: 'created_at', order: 'asc', limit: 5, offset: 5 },
      { includeAnonymised: true, limit: 9 },
      { consent: 'valid', limit: 4, offset: 2 },
      { consent: 'missing' },
      { consent: 'revoked', includeAnonymised: true },
      { limit: 0 },
    ];
    for (const search of ['payet', 'ma', 'marie 0692', '0692', 'gmail', 'a', '692 1', 'ange', ...randomSearches(40)]) {
      for (const v of variants) {
        const { walked, indexed } = await both(query(search, v));
        expect(indexed, `${search} ${JSON.stringify(v)}`).toEqual(walked);
      }
    }
  });

  it('uses the index for words of 3 characters or more, and not for shorter ones', async () => {
    const max = Number.POSITIVE_INFINITY;
    expect(await searchCandidates(k.db, [{ text: 'payet' }], max)).toMatch(/^"[a-z]{3}"$/);
    expect(await searchCandidates(k.db, [{ text: 'ma' }, { text: 'payet' }], max)).toBeDefined();
    expect(await searchCandidates(k.db, [{ text: 'ma' }, { text: 'e' }], max)).toBeUndefined();
    expect(await searchCandidates(k.db, [{ text: 'payet' }], 0)).toBeUndefined();
  });

  it('walks instead when a word is common to more visitors than the threshold', async () => {
    // Every listed visitor holds "+262": an estimate of all of them is above 1 candidate.
    expect(await searchCandidates(k.db, [{ text: '+262' }], 1)).toBeUndefined();
    expect(await searchCandidates(k.db, [{ text: 'payet' }], 1_000_000)).toBeDefined();
  });

  it('finds visitors renamed after the index statistics were read', async () => {
    const before = await both(query('quetzal'));
    expect(before.indexed.total).toBe(0);
    const user = await createUser(k.ctx, k.actor, visitorInput({ firstName: 'Ana', lastName: 'Quetzal', email: null, phone: phone() }));
    const after = await both(query('quetzal'));
    expect(after.indexed).toEqual({ ids: [user.id], total: 1 });
    expect(after.walked).toEqual(after.indexed);
    await updateUser(k.ctx, k.actor, user.id, { lastName: 'Payet' });
    expect((await both(query('quetzal'))).indexed).toEqual({ ids: [], total: 0 });
    expect((await both(query('payet ana'))).indexed.ids).toContain(user.id);
  });
});
