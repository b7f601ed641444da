import { checkBirthDate } from './birth-date.ts';
import { checkEmail, checkGuardianName, checkName, checkNotes, type FieldCheck } from './person-fields.ts';
import { checkReunionPhone } from './phone.ts';
import { fieldIssue, validationError, type UserFieldIssue } from './user-errors.ts';

/** What an operator fills in to register a visitor. */
export interface CreateUserInput {
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  /** Réunion number, national or international form. */
  phone: string;
  email?: string | null;
  notes?: string | null;
  /** Legal guardian (required, with their consent, below the policy age before any session). */
  guardianName?: string | null;
  /** The visitor agrees now to the current consent text. */
  consentGiven?: boolean;
  /** The guardian named above agrees now. */
  guardianConsentGiven?: boolean;
}

/** A partial change; `null` clears an optional field. Absent keys stay as they are. */
export interface UpdateUserInput {
  firstName?: string;
  lastName?: string;
  birthDate?: string;
  phone?: string;
  email?: string | null;
  notes?: string | null;
  guardianName?: string | null;
}

/** Validated values, named like the input fields. */
export interface PersonValues {
  firstName: string;
  lastName: string;
  birthDate: string;
  phone: string;
  email: string | null;
  notes: string | null;
  guardianName: string | null;
}

export const PERSON_FIELDS = ['firstName', 'lastName', 'birthDate', 'phone', 'email', 'notes', 'guardianName'] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];

const REQUIRED: ReadonlySet<PersonField> = new Set(['firstName', 'lastName', 'birthDate', 'phone']);

type Checker = (value: string | null, field: PersonField, env: { now: number; timeZone: string }) => FieldCheck<string | null>;

const CHECKERS: Record<PersonField, Checker> = {
  firstName: (v, f) => checkName(v ?? '', f),
  lastName: (v, f) => checkName(v ?? '', f),
  birthDate: (v, f, env) => {
    const r = checkBirthDate(v ?? '', env.now, env.timeZone, f);
    return r.ok ? r : { ok: false, issue: r.issue };
  },
  phone: (v, f) => {
    const r = checkReunionPhone(v ?? '', f);
    return r.ok ? { ok: true, value: r.e164 } : r;
  },
  email: (v, f) => checkEmail(v, f),
  notes: (v, f) => checkNotes(v, f),
  guardianName: (v, f) => (v === null || v.trim() === '' ? { ok: true, value: null } : checkGuardianName(v, f)),
};

function typeIssue(field: PersonField, required: boolean): UserFieldIssue {
  return required
    ? fieldIssue('USER_FIELD_REQUIRED', field, 'Champ obligatoire (texte).', 'Required field (text).')
    : fieldIssue('USER_FIELD_TYPE', field, 'Texte ou vide attendu.', 'Text or empty expected.');
}

/**
 * Checks the fields present in `input` (all of them for a creation). Values
 * arrive from the HTTP layer, so their types are checked here too: a wrong
 * type is a field issue, never a crash.
 */
export function checkPersonFields(
  input: Record<string, unknown>,
  fields: readonly PersonField[],
  env: { now: number; timeZone: string },
): Partial<PersonValues> {
  const { values, issues } = collectPersonFields(input, fields, env);
  if (issues.length > 0) throw validationError(issues);
  return values;
}

function collectPersonFields(
  input: Record<string, unknown>,
  fields: readonly PersonField[],
  env: { now: number; timeZone: string },
): { values: Partial<PersonValues>; issues: UserFieldIssue[] } {
  const issues: UserFieldIssue[] = [];
  const values: Partial<Record<PersonField, string | null>> = {};
  for (const field of fields) {
    const raw = input[field];
    const required = REQUIRED.has(field);
    if (typeof raw !== 'string' && !(raw === null && !required) && !(raw === undefined && !required)) {
      issues.push(typeIssue(field, required));
      continue;
    }
    const result = CHECKERS[field](typeof raw === 'string' ? raw : null, field, env);
    if (result.ok) values[field] = result.value;
    else issues.push(result.issue);
  }
  return { values: values as Partial<PersonValues>, issues };
}

/** The fields an update touches (keys present with a value other than undefined). */
export function presentFields(input: Record<string, unknown>): PersonField[] {
  return PERSON_FIELDS.filter((f) => Object.hasOwn(input, f) && input[f] !== undefined);
}

/** Checks a whole creation input, including the consent flags. */
export function checkCreateInput(input: CreateUserInput, env: { now: number; timeZone: string }): PersonValues {
  const flags: UserFieldIssue[] = [];
  for (const flag of ['consentGiven', 'guardianConsentGiven'] as const) {
    const v = (input as unknown as Record<string, unknown>)[flag];
    if (v !== undefined && typeof v !== 'boolean') flags.push(fieldIssue('USER_FIELD_TYPE', flag, 'Oui ou non attendu.', 'Yes or no expected.'));
  }
  const blankGuardian = typeof input.guardianName !== 'string' || input.guardianName.trim() === '';
  if (input.guardianConsentGiven === true && blankGuardian) {
    flags.push(
      fieldIssue(
        'USER_GUARDIAN_NAME_REQUIRED',
        'guardianName',
        'Indiquez le nom du représentant légal qui consent.',
        'Give the name of the guardian who consents.',
      ),
    );
  }
  const { values, issues } = collectPersonFields(input as unknown as Record<string, unknown>, PERSON_FIELDS, env);
  if (issues.length + flags.length > 0) throw validationError([...issues, ...flags]);
  return values as PersonValues;
}
