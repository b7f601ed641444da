import type { DomainPolicy } from '../../api/shared/domain-context.ts';
import type { AppConfig } from './config-schema.ts';

/** The domain's rules, taken from the validated configuration. */
export function domainPolicyFrom(config: AppConfig): DomainPolicy {
  return {
    timeZone: config.timeZone,
    dailyQuota: config.sessions.dailyQuota,
    codeLength: config.sessions.codeLength,
    unusedCodeExpiryMs: config.sessions.unusedCodeExpiryHours * 3600_000,
    heartbeatTimeoutMs: config.stations.heartbeatTimeoutSeconds * 1000,
    consentTextVersion: config.consent.textVersion,
    guardianConsentBelowAge: config.consent.guardianBelowAge,
  };
}
