import type { DomainPolicy } from '../shared/domain-context.ts';
import type { DomainError } from '../shared/errors.ts';
import { ageAt } from './birth-date.ts';
import { consentRequired, guardianConsentRequired, userAnonymised, userNotFound } from './user-errors.ts';
import type { User } from './users-table.ts';

/**
 * Where a visitor stands with RGPD consent:
 * - `valid`: consent given, not withdrawn, and a guardian's consent too if under the policy age;
 * - `missing`: never given;
 * - `guardian_required`: given, but the visitor is under `guardianConsentBelowAge` and no guardian consent is recorded;
 * - `revoked`: withdrawn, so the person was anonymised;
 * - `deleted`: the visitor was deleted (anonymised as well).
 */
export type ConsentStatus = 'valid' | 'missing' | 'guardian_required' | 'revoked' | 'deleted';

export type ConsentFields = Pick<
  User,
  'id' | 'birth_date' | 'consent_at' | 'consent_revoked_at' | 'anonymised_at' | 'deleted_at' | 'guardian_name' | 'guardian_consent_at'
>;

/** Below the guardian age today (local day). An unknown birth date counts as under age: the safe side. */
export function needsGuardian(user: Pick<User, 'birth_date'>, now: number, policy: DomainPolicy): boolean {
  return needsGuardianAtAge(ageAt(user.birth_date, now, policy.timeZone), policy);
}

/** needsGuardian for an age already worked out (undefined: unknown birth date). */
export function needsGuardianAtAge(age: number | undefined, policy: DomainPolicy): boolean {
  return age === undefined || age < policy.guardianConsentBelowAge;
}

export function hasGuardianConsent(user: Pick<User, 'guardian_name' | 'guardian_consent_at'>): boolean {
  return user.guardian_name !== null && user.guardian_consent_at !== null;
}

export function consentStatus(user: ConsentFields, now: number, policy: DomainPolicy): ConsentStatus {
  return consentStatusAtAge(user, () => ageAt(user.birth_date, now, policy.timeZone), policy);
}

/** consentStatus with the visitor's age given (worked out only when the status depends on it). */
export function consentStatusAtAge(user: ConsentFields, age: () => number | undefined, policy: DomainPolicy): ConsentStatus {
  if (user.deleted_at !== null) return 'deleted';
  if (user.anonymised_at !== null || user.consent_revoked_at !== null) return 'revoked';
  if (user.consent_at === null) return 'missing';
  if (needsGuardianAtAge(age(), policy) && !hasGuardianConsent(user)) return 'guardian_required';
  return 'valid';
}

export function hasValidConsent(user: ConsentFields, now: number, policy: DomainPolicy): boolean {
  return consentStatus(user, now, policy) === 'valid';
}

/** The error explaining why no session may start, or undefined when one may. */
export function sessionBlocker(user: ConsentFields, now: number, policy: DomainPolicy): DomainError | undefined {
  switch (consentStatus(user, now, policy)) {
    case 'valid':
      return undefined;
    case 'deleted':
      return userNotFound(user.id);
    case 'revoked':
      return userAnonymised(user.id);
    case 'missing':
      return consentRequired(user.id);
    case 'guardian_required':
      return guardianConsentRequired(user.id, policy.guardianConsentBelowAge);
  }
}

/**
 * For the sessions domain, before issuing a code and again before starting a
 * session: throws USER_NOT_FOUND, USER_ANONYMISED, USER_CONSENT_REQUIRED or
 * USER_GUARDIAN_CONSENT_REQUIRED. Call it with a row read in the same
 * transaction as the session change.
 */
export function assertCanHaveSession(user: ConsentFields, now: number, policy: DomainPolicy): void {
  const blocker = sessionBlocker(user, now, policy);
  if (blocker !== undefined) throw blocker;
}
