import { DomainError } from '../shared/errors.ts';
import { localParts } from '../shared/zoned-time.ts';
import type { VisitorFacts } from './session-peers-repository.ts';

export const INELIGIBILITY_REASONS = [
  'user_deleted',
  'consent_revoked',
  'user_anonymised',
  'consent_missing',
  'guardian_consent_missing',
] as const;
export type IneligibilityReason = (typeof INELIGIBILITY_REASONS)[number];

const MESSAGES: Record<IneligibilityReason, { fr: string; en: string }> = {
  user_deleted: { fr: 'Cet usager a été supprimé.', en: 'This visitor has been deleted.' },
  consent_revoked: {
    fr: 'Cet usager a retiré son consentement : aucune session ne peut lui être ouverte.',
    en: 'This visitor withdrew their consent: no session can be opened for them.',
  },
  user_anonymised: { fr: 'Cet usager a été anonymisé.', en: 'This visitor has been anonymised.' },
  consent_missing: {
    fr: "Le consentement RGPD de l'usager n'a pas été recueilli.",
    en: "The visitor's GDPR consent has not been recorded.",
  },
  guardian_consent_missing: {
    fr: "Usager mineur : le consentement d'un responsable légal est requis.",
    en: "Minor visitor: a legal guardian's consent is required.",
  },
};

/**
 * Why a visitor may not receive or use a session, or null when they may. A
 * visitor without a birth date is taken as an adult: the users domain decides
 * whether the date is required at registration.
 */
export function visitorIneligibility(
  user: VisitorFacts,
  now: number,
  policy: { timeZone: string; guardianConsentBelowAge: number },
): IneligibilityReason | null {
  if (user.deleted_at !== null) return 'user_deleted';
  if (user.consent_revoked_at !== null) return 'consent_revoked';
  if (user.anonymised_at !== null) return 'user_anonymised';
  if (user.consent_at === null) return 'consent_missing';
  if (user.birth_date !== null && user.guardian_consent_at === null) {
    const age = ageOn(user.birth_date, now, policy.timeZone);
    if (age !== null && age < policy.guardianConsentBelowAge) return 'guardian_consent_missing';
  }
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

export function ineligibilityMessage(reason: IneligibilityReason): { fr: string; en: string } {
  return MESSAGES[reason];
}

export function ineligibleError(reason: IneligibilityReason, userId: number): DomainError {
  return new DomainError(reason.toUpperCase(), 'forbidden', MESSAGES[reason], { details: { userId, reason } });
}
