import { fieldIssue, type UserFieldIssue } from './user-errors.ts';

/**
 * Checks for the free-text fields of a visitor. Each returns the value to
 * store (trimmed, NFC) or an issue; optional fields give null when blank.
 */
export type FieldCheck<T> = { ok: true; value: T } | { ok: false; issue: UserFieldIssue };

const NAME_MAX = 100;
const GUARDIAN_MAX = 200;
const NOTES_MAX = 2000;
const EMAIL_MAX = 254;
// Letters of any script with accents, joined by spaces, hyphens, apostrophes or dots (Jean-Marie, N'Guyen, St. Denis).
const NAME_RE = /^\p{L}[\p{L}\p{M}]*(?:(?:[ '’.-]|\. )[\p{L}\p{M}]+)*\.?$/u;
// Control characters other than tab and newlines do not belong in text an operator types.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function clean(input: string): string {
  return input.normalize('NFC').trim().replace(/\s+/g, ' ');
}

export function checkName(input: string, field: string, max = NAME_MAX): FieldCheck<string> {
  const value = clean(input);
  const code = 'USER_NAME_INVALID';
  if (value.length === 0) return { ok: false, issue: fieldIssue(code, field, 'Champ obligatoire.', 'Required field.') };
  if (value.length > max) {
    return { ok: false, issue: fieldIssue(code, field, `${max} caractères au plus.`, `At most ${max} characters.`) };
  }
  if (!NAME_RE.test(value)) {
    return {
      ok: false,
      issue: fieldIssue(code, field, 'Lettres, espaces, tirets et apostrophes seulement.', 'Letters, spaces, hyphens and apostrophes only.'),
    };
  }
  return { ok: true, value };
}

export function checkGuardianName(input: string, field = 'guardianName'): FieldCheck<string> {
  return checkName(input, field, GUARDIAN_MAX);
}

/**
 * A sane address, not full RFC 5322: one @, a local part of printable
 * characters, a domain of dot-separated labels ending in a letter TLD. The
 * domain is lower-cased (it is case-insensitive, RFC 5321 §2.4).
 */
export function checkEmail(input: string | null, field = 'email'): FieldCheck<string | null> {
  const value = input === null ? '' : input.trim();
  if (value.length === 0) return { ok: true, value: null };
  const fail = { ok: false as const, issue: fieldIssue('USER_EMAIL_INVALID', field, 'Adresse e-mail invalide.', 'Invalid email address.') };
  if (value.length > EMAIL_MAX) return fail;
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1).toLowerCase();
  if (at < 1 || local.length > 64 || !/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+$/.test(local)) return fail;
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return fail;
  const labels = domain.split('.');
  if (labels.length < 2 || !/^[a-z]{2,63}$/.test(labels[labels.length - 1]!)) return fail;
  if (!labels.every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l))) return fail;
  return { ok: true, value: `${local}@${domain}` };
}

export function checkNotes(input: string | null, field = 'notes'): FieldCheck<string | null> {
  const value = input === null ? '' : input.normalize('NFC').trim();
  if (value.length === 0) return { ok: true, value: null };
  if (value.length > NOTES_MAX) {
    return { ok: false, issue: fieldIssue('USER_NOTES_INVALID', field, `${NOTES_MAX} caractères au plus.`, `At most ${NOTES_MAX} characters.`) };
  }
  if (CONTROL_RE.test(value)) {
    return { ok: false, issue: fieldIssue('USER_NOTES_INVALID', field, 'Caractères de contrôle interdits.', 'Control characters are not allowed.') };
  }
  return { ok: true, value };
}

/** Lower-case, accent-free form used for search on any database. */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[’']/g, "'").replace(/\s+/g, ' ').trim();
}

/**
 * The stored search text of a visitor: last name first, so ordering by it
 * sorts by name ignoring case and accents. Null once every part is gone.
 */
export function searchTextOf(parts: { first_name: string | null; last_name: string | null; email: string | null }): string | null {
  const joined = [parts.last_name, parts.first_name, parts.email].filter((p): p is string => p !== null).join(' ');
  return joined.length === 0 ? null : foldForSearch(joined);
}
