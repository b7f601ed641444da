import { DomainError, conflict, notFound, type FieldIssue } from '../shared/errors.ts';

/** One field that failed validation, with the code a client can switch on. */
export interface UserFieldIssue extends FieldIssue {
  code: string;
}

export function fieldIssue(code: string, field: string, fr: string, en: string): UserFieldIssue {
  return { code, field, fr, en };
}

/**
 * Turns the issues found in one input into one error. When every issue shares
 * a code (the usual single-field case) that code is kept; otherwise the error
 * is USER_INVALID and `details.codes` maps each field to its own code.
 */
export function validationError(issues: UserFieldIssue[]): DomainError {
  const codes = [...new Set(issues.map((i) => i.code))];
  const single = codes.length === 1 ? issues[0]! : undefined;
  const fields = issues.map(({ field, fr, en }) => ({ field, fr, en }));
  const details = { codes: Object.fromEntries(issues.map((i) => [i.field, i.code])) };
  if (single !== undefined) {
    return new DomainError(single.code, 'invalid', { fr: single.fr, en: single.en }, { fields, details });
  }
  return new DomainError(
    'USER_INVALID',
    'invalid',
    { fr: 'Plusieurs champs sont invalides.', en: 'Several fields are invalid.' },
    { fields, details },
  );
}

export function userNotFound(id: unknown): DomainError {
  return notFound('user', id);
}

export function userAnonymised(id: number): DomainError {
  return conflict(
    'USER_ANONYMISED',
    "Cet usager a été anonymisé : ses données ne peuvent plus être modifiées. Enregistrez-le à nouveau s'il revient.",
    'This visitor was anonymised: their data can no longer change. Register them again if they come back.',
    { userId: id },
  );
}

export function consentRequired(id: number): DomainError {
  return conflict(
    'USER_CONSENT_REQUIRED',
    "Le consentement RGPD de l'usager doit être enregistré avant toute session.",
    "The visitor's GDPR consent must be recorded before any session.",
    { userId: id },
  );
}

export function guardianConsentRequired(id: number, belowAge: number): DomainError {
  return conflict(
    'USER_GUARDIAN_CONSENT_REQUIRED',
    `Usager de moins de ${belowAge} ans : le nom et le consentement d'un représentant légal doivent être enregistrés avant toute session.`,
    `Visitor under ${belowAge}: a guardian's name and consent must be recorded before any session.`,
    { userId: id, belowAge },
  );
}

export function runningSession(id: number, sessionIds: number[]): DomainError {
  return conflict(
    'USER_HAS_RUNNING_SESSION',
    "L'usager a une session en cours ou suspendue : terminez-la d'abord.",
    'The visitor has an active or suspended session: end it first.',
    { userId: id, sessionIds },
  );
}

/** The photo store (files) failed; the cause is kept for logs only. */
export function photoStorageFailure(cause: unknown): DomainError {
  return new DomainError(
    'USER_PHOTO_STORAGE_FAILURE',
    'unavailable',
    {
      fr: "Le stockage des photos ne répond pas ; rien n'a été enregistré.",
      en: 'The photo storage is not answering; nothing was saved.',
    },
    { cause },
  );
}
