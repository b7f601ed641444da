import { parsePhoneNumberFromString, type NumberType } from 'libphonenumber-js/max';
import { fieldIssue, validationError, type UserFieldIssue } from './user-errors.ts';

/**
 * Réunion phone numbers. The region must be RE, never FR: with FR as default,
 * `0692 12 34 56` parses as +33 692… (a wrong, unreachable number), because
 * France and Réunion share the national trunk prefix 0 but not the country
 * code (+262). The `max` metadata is used so validity and type come from the
 * full number patterns, not from length alone.
 */
export const PHONE_REGION = 'RE';

/** Types a person can be called back on; toll-free or premium lines are not a visitor's phone. */
const PERSONAL_TYPES: ReadonlySet<NumberType> = new Set<NumberType>([
  'MOBILE',
  'FIXED_LINE',
  'FIXED_LINE_OR_MOBILE',
  'VOIP',
  'PERSONAL_NUMBER',
]);

const MAX_INPUT_LENGTH = 40;

export type PhoneCheck = { ok: true; e164: string } | { ok: false; issue: UserFieldIssue };

function bad(field: string, fr: string, en: string): PhoneCheck {
  return { ok: false, issue: fieldIssue('USER_PHONE_INVALID', field, fr, en) };
}

/**
 * Accepts national (0692 12 34 56, 0262…) or international (+262 692…, 00262…)
 * input and returns E.164 (+262692123456), or a field issue saying why not.
 */
export function checkReunionPhone(input: string, field = 'phone'): PhoneCheck {
  const text = input.trim();
  if (text.length === 0 || text.length > MAX_INPUT_LENGTH) {
    return bad(field, 'Numéro de téléphone manquant ou trop long.', 'Phone number missing or too long.');
  }
  // extract: false — the whole input must be a number, not merely contain one.
  const parsed = parsePhoneNumberFromString(text, { defaultCountry: PHONE_REGION, extract: false });
  if (parsed === undefined) {
    return bad(field, "Ce n'est pas un numéro de téléphone.", 'This is not a phone number.');
  }
  if (parsed.ext !== undefined) {
    return bad(field, 'Les extensions (poste) ne sont pas acceptées.', 'Extensions are not accepted.');
  }
  if (!parsed.isValid()) {
    return bad(
      field,
      'Numéro invalide : attendu un numéro de La Réunion (0692…, 0693…, 0262…, 0263… ou +262…).',
      'Invalid number: expected a Réunion number (0692…, 0693…, 0262…, 0263… or +262…).',
    );
  }
  if (parsed.country !== PHONE_REGION) {
    return bad(
      field,
      `Numéro hors de La Réunion (${parsed.country ?? '?'}) : seuls les numéros de La Réunion sont acceptés.`,
      `Number outside Réunion (${parsed.country ?? '?'}): only Réunion numbers are accepted.`,
    );
  }
  const type = parsed.getType();
  if (type === undefined || !PERSONAL_TYPES.has(type)) {
    return bad(field, "Ce numéro n'est pas celui d'une personne (numéro spécial).", 'This is not a personal number (special-rate line).');
  }
  return { ok: true, e164: parsed.number };
}

/** Same as checkReunionPhone, throwing USER_PHONE_INVALID. */
export function toReunionE164(input: string, field = 'phone'): string {
  const result = checkReunionPhone(input, field);
  if (!result.ok) throw validationError([result.issue]);
  return result.e164;
}

/**
 * Display forms already worked out, by stored number. Parsing against the full
 * metadata costs ~10 µs a number, paid on every row of every visitors page;
 * the form depends on nothing but the number, so it never goes stale. Bounded
 * (oldest dropped first) so memory stays flat whatever the number of visitors.
 */
const DISPLAY_CACHE_SIZE = 20_000;
const displayForms = new Map<string, string>();

/**
 * National display form ("0692 12 34 56") of a stored E.164 number. A value
 * that does not parse (should not happen) is shown as stored.
 */
export function formatPhoneForDisplay(e164: string): string {
  const known = displayForms.get(e164);
  if (known !== undefined) return known;
  const parsed = parsePhoneNumberFromString(e164);
  const shown = parsed === undefined ? e164 : parsed.country === PHONE_REGION ? parsed.formatNational() : parsed.formatInternational();
  if (displayForms.size >= DISPLAY_CACHE_SIZE) displayForms.delete(displayForms.keys().next().value!);
  displayForms.set(e164, shown);
  return shown;
}

/**
 * Digits to look for in stored E.164 numbers when an operator types part of a
 * number ("0692 12", "692", "+262 692…"): the national 0 and the country code
 * are dropped. Empty when the text holds fewer than 3 digits.
 */
export function phoneSearchDigits(text: string): string {
  let digits = text.replace(/\D/g, '');
  if (digits.startsWith('00262')) digits = digits.slice(5);
  else if (text.trim().startsWith('+') && digits.startsWith('262')) digits = digits.slice(3);
  else if (digits.startsWith('0')) digits = digits.slice(1);
  return digits.length >= 3 ? digits : '';
}
