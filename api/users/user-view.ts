import type { DomainPolicy } from '../shared/domain-context.ts';
import { AGE_OF_MAJORITY, ageAt } from './birth-date.ts';
import { consentStatus, needsGuardian, type ConsentStatus } from './consent.ts';
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
  const age = ageAt(user.birth_date, now, policy.timeZone) ?? null;
  return {
    id: user.id,
    firstName: user.first_name,
    lastName: user.last_name,
    birthDate: user.birth_date,
    age,
    isMinor: age === null ? null : age < AGE_OF_MAJORITY,
    needsGuardian: age === null ? null : needsGuardian(user, now, policy),
    phone: user.phone,
    phoneDisplay: user.phone === null ? null : formatPhoneForDisplay(user.phone),
    email: user.email,
    notes: user.notes,
    hasPhoto: user.photo_key !== null,
    photoMime: user.photo_mime,
    guardianName: user.guardian_name,
    guardianConsentAt: user.guardian_consent_at,
    consent: {
      status: consentStatus(user, now, policy),
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
