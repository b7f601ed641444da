/**
 * The consent gate for sessions, as reasons the sessions domain reports
 * (canCreateSession, code checks). The rules themselves live once, in
 * api/users/consent.ts.
 */
import type { DomainPolicy } from '../shared/domain-context.ts';
import type { DomainError } from '../shared/errors.ts';
import { consentStatus, type ConsentStatus } from '../users/consent.ts';
import { consentRequired, guardianConsentRequired, userAnonymised, userNotFound } from '../users/user-errors.ts';
import type { VisitorFacts } from './session-peers-repository.ts';

export const INELIGIBILITY_REASONS = ['user_deleted', 'user_anonymised', 'consent_required', 'guardian_consent_required'] as const;
export type IneligibilityReason = (typeof INELIGIBILITY_REASONS)[number];

type Policy = DomainPolicy;

const REASON_OF: Record<Exclude<ConsentStatus, 'valid'>, IneligibilityReason> = {
  deleted: 'user_deleted',
  revoked: 'user_anonymised',
  missing: 'consent_required',
  guardian_required: 'guardian_consent_required',
};

/** Why a visitor may not receive or use a session, or null when they may. */
export function visitorIneligibility(user: VisitorFacts, now: number, policy: Policy): IneligibilityReason | null {
  const status = consentStatus(user, now, policy);
  return status === 'valid' ? null : REASON_OF[status];
}

/** The users domain's own error for that reason. */
export function ineligibleError(reason: IneligibilityReason, userId: number, policy: Policy): DomainError {
  switch (reason) {
    case 'user_deleted':
      return userNotFound(userId);
    case 'user_anonymised':
      return userAnonymised(userId);
    case 'consent_required':
      return consentRequired(userId);
    case 'guardian_consent_required':
      return guardianConsentRequired(userId, policy.guardianConsentBelowAge);
  }
}
