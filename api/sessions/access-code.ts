import { createHash, randomInt } from 'node:crypto';
import { invalid, type DomainError } from '../shared/errors.ts';

/**
 * Access-code alphabet: upper-case letters and digits without the characters a
 * visitor confuses when copying a printed ticket: 0/O and 1/I/L are all left
 * out (neither member of a pair stays, so there is nothing to guess). 31
 * symbols; 8 of them give 31^8 ≈ 8.5·10^11 codes.
 */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

const ALPHABET_SET = new Set(CODE_ALPHABET);
/** What a visitor may type between groups: any white space and the usual dashes (copy-paste from a PDF). */
const SEPARATORS = /[\s\-‐‑‒–—_]/gu;
const GROUP = 4;

/** Where codes draw their randomness; tests inject a deterministic one. */
export interface RandomSource {
  /** A uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
}

/** crypto.randomInt rejects and redraws internally, so there is no modulo bias. */
export const cryptoRandom: RandomSource = { int: (maxExclusive) => randomInt(maxExclusive) };

/** A new code in normalised form (no separator, upper case). */
export function generateCode(length: number, random: RandomSource = cryptoRandom): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[random.int(CODE_ALPHABET.length)];
  return code;
}

/** The form printed on tickets and shown in the panel: groups of four joined by dashes (XXXX-XXXX). */
export function formatCode(code: string): string {
  // Concatenated rather than an array joined: a sessions page formats one code per row.
  let shown = code.slice(0, GROUP);
  for (let i = GROUP; i < code.length; i += GROUP) shown += `-${code.slice(i, i + GROUP)}`;
  return shown;
}

export type CodeParseResult = { ok: true; code: string } | { ok: false; error: DomainError };

/**
 * Normalises what a visitor typed (case, spaces, dashes) and checks it can be a
 * code at all, so a malformed entry never reaches the database.
 */
export function parseCode(input: unknown, length: number): CodeParseResult {
  if (typeof input !== 'string') return { ok: false, error: malformed(length, 'missing') };
  const code = input.replace(SEPARATORS, '').toUpperCase();
  if (code.length !== length) return { ok: false, error: malformed(length, 'length') };
  if ([...code].some((c) => !ALPHABET_SET.has(c))) return { ok: false, error: malformed(length, 'characters') };
  return { ok: true, code };
}

/** parseCode for callers that want the error thrown. */
export function normaliseCode(input: unknown, length: number): string {
  const result = parseCode(input, length);
  if (!result.ok) throw result.error;
  return result.code;
}

/**
 * What the audit trail keeps instead of a rejected code: 8 hex digits of its
 * sha256. That is enough to see the same wrong code typed again, and with
 * ~8.5·10^11 possible codes each prefix matches ~200 of them, so reading the
 * trail does not give a live code back.
 */
export function codeFingerprint(code: string): string {
  return createHash('sha256').update(code).digest('hex').slice(0, 8);
}

function malformed(length: number, why: 'missing' | 'length' | 'characters'): DomainError {
  const shape = formatCode('X'.repeat(length));
  const detail = {
    missing: { fr: 'aucun code saisi', en: 'no code given' },
    length: { fr: `il faut ${length} caractères`, en: `it must have ${length} characters` },
    characters: {
      fr: 'seuls les lettres (sans I, L, O) et les chiffres 2 à 9 sont utilisés',
      en: 'only letters (no I, L, O) and digits 2 to 9 are used',
    },
  }[why];
  return invalid(
    'CODE_MALFORMED',
    `Code mal saisi : ${detail.fr} (forme ${shape}).`,
    `Malformed code: ${detail.en} (shape ${shape}).`,
    [{ field: 'code', fr: detail.fr, en: detail.en }],
  );
}
