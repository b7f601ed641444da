/**
 * The consent gate for sessions. It mirrors the rules and error codes of
 * api/users/consent.ts (sessionBlocker), kept here so the sessions domain did
 * not depend on that folder while both were being written; once users is
 * settled this module can delegate to it.
 */
import { conflict, notFound, type DomainError } from '../shared/errors.ts';
import { localParts } from '../shared/zoned-time.ts';
import type { VisitorFacts } from './session-peers-repository.ts';

export const INELIGIBILITY_REASONS = ['user_deleted', 'user_anonymised', 'consent_required', 'guardian_consent_required'] as const;
export type IneligibilityReason = (typeof INELIGIBILITY_REASONS)[number];

type Policy = { timeZone: string; guardianConsentBelowAge: number };

/**
 * Why a visitor may not receive or use a session, or null when they may.
 * Consent withdrawn anonymises, so both read as `user_anonymised`. A visitor
 * whose birth date is unknown is treated as under age (the safe side), and a
 * guardian's consent needs the guardian's name and the consent instant.
 */
export function visitorIneligibility(user: VisitorFacts, now: number, policy: Policy): IneligibilityReason | null {
  if (user.deleted_at !== null) return 'user_deleted';
  if (user.anonymised_at !== null || user.consent_revoked_at !== null) return 'user_anonymised';
  if (user.consent_at === null) return 'consent_required';
  const age = user.birth_date === null ? null : ageOn(user.birth_date, now, policy.timeZone);
  const underAge = age === null || age < policy.guardianConsentBelowAge;
  if (underAge && (user.guardian_name === null || user.guardian_consent_at === null)) return 'guardian_consent_required';
  return null;
}

/**
 * Age in whole years on the local date of `now` (a birthday counts from the
 * local midnight; 29 February birthdays count from 1 March in other years).
 * Null when the stored date is not YYYY-MM-DD.
 */
export function ageOn(birthDate: string, now: number, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (m === null) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const today = localParts(now, timeZone);
  const hadBirthday = today.month > month || (today.month === month && today.day >= day);
  return today.year - year - (hadBirthday ? 0 : 1);
}

/** The same codes, categories and wording as api/users/user-errors.ts. */
export function ineligibleError(reason: IneligibilityReason, userId: number, policy: Policy): DomainError {
  switch (reason) {
    case 'user_deleted':
      return notFound('user', userId);
    case 'user_anonymised':
      return conflict(
        'USER_ANONYMISED',
        "Cet usager a été anonymisé : ses données ne peuvent plus être modifiées. Enregistrez-le à nouveau s'il revient.",
        'This visitor was anonymised: their data can no longer change. Register them again if they come back.',
        { userId },
      );
    case 'consent_required':
      return conflict(
        'USER_CONSENT_REQUIRED',
        "Le consentement RGPD de l'usager doit être enregistré avant toute session.",
        "The visitor's GDPR consent must be recorded before any session.",
        { userId },
      );
    case 'guardian_consent_required': {
      const belowAge = policy.guardianConsentBelowAge;
      return conflict(
        'USER_GUARDIAN_CONSENT_REQUIRED',
        `Usager de moins de ${belowAge} ans : le nom et le consentement d'un représentant légal doivent être enregistrés avant toute session.`,
        `Visitor under ${belowAge}: a guardian's name and consent must be recorded before any session.`,
        { userId, belowAge },
      );
    }
  }
}
