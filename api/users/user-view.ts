import type { DomainPolicy } from '../shared/domain-context.ts';
import { AGE_OF_MAJORITY, ageOn, localCalendarDay } from './birth-date.ts';
import { consentStatusAtAge, needsGuardianAtAge, type ConsentStatus } from './consent.ts';
import { formatPhoneForDisplay } from './phone.ts';
import type { User } from './users-table.ts';

/**
 * What the API and the panel show of a visitor. Times are epoch ms; personal
 * fields are null once anonymised. `isMinor` is civil minority (< 18);
 * `needsGuardian` is the policy's RGPD threshold (< 15 by default).
 */
export interface UserView {
  id: number;
  firstName: string | null;
  lastName: string | null;
  birthDate: string | null;
  age: number | null;
  isMinor: boolean | null;
  needsGuardian: boolean | null;
  phone: string | null;
  phoneDisplay: string | null;
  email: string | null;
  notes: string | null;
  hasPhoto: boolean;
  photoMime: string | null;
  guardianName: string | null;
  guardianConsentAt: number | null;
  consent: {
    status: ConsentStatus;
    givenAt: number | null;
    textVersion: string | null;
    /** False when the visitor agreed to an older consent text than the policy's. */
    isCurrentText: boolean;
    revokedAt: number | null;
  };
  anonymisedAt: number | null;
  deletedAt: number | null;
  createdBy: number | null;
  createdAt: number;
  updatedAt: number;
}

export function toUserView(user: User, now: number, policy: DomainPolicy): UserView {
  return userViewer(now, policy)(user);
}

/**
 * toUserView for many rows at once: the local day that ages are counted
 * against is worked out once, not three times per row.
 */
export function userViewer(now: number, policy: DomainPolicy): (user: Omit<User, 'search_text'>) => UserView {
  const today = localCalendarDay(now, policy.timeZone);
  return (user) => viewOf(user, ageOn(user.birth_date, today), policy);
}

function viewOf(user: Omit<User, 'search_text'>, knownAge: number | undefined, policy: DomainPolicy): UserView {
  const age = knownAge ?? null;
  return {
    id: user.id,
    firstName: user.first_name,
    lastName: user.last_name,
    birthDate: user.birth_date,
    age,
    isMinor: age === null ? null : age < AGE_OF_MAJORITY,
    needsGuardian: age === null ? null : needsGuardianAtAge(knownAge, policy),
    phone: user.phone,
    phoneDisplay: user.phone === null ? null : formatPhoneForDisplay(user.phone),
    email: user.email,
    notes: user.notes,
    hasPhoto: user.photo_key !== null,
    photoMime: user.photo_mime,
    guardianName: user.guardian_name,
    guardianConsentAt: user.guardian_consent_at,
    consent: {
      status: consentStatusAtAge(user, () => knownAge, policy),
      givenAt: user.consent_at,
      textVersion: user.consent_text_version,
      isCurrentText: user.consent_text_version === policy.consentTextVersion,
      revokedAt: user.consent_revoked_at,
    },
    anonymisedAt: user.anonymised_at,
    deletedAt: user.deleted_at,
    createdBy: user.created_by,
    createdAt: user.created_at,
    updatedAt: user.updated_at,
  };
}
