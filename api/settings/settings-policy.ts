import type { DomainPolicy } from '../shared/domain-context.ts';
import type { Settings } from './settings-schema.ts';

/**
 * Defaults for the runtime settings, taken from the policy the configuration
 * file built; the few settings the policy does not carry get product defaults.
 */
export function settingsDefaultsFrom(policy: DomainPolicy): Settings {
  return {
    'sessions.dailyQuota': policy.dailyQuota,
    'sessions.defaultDurationMinutes': 60,
    'sessions.addTimePresetsMinutes': [15, 30],
    'sessions.unusedCodeExpiryHours': Math.max(1, Math.round(policy.unusedCodeExpiryMs / 3_600_000)),
    'stations.autoApprove': false,
    'stations.heartbeatTimeoutSeconds': Math.max(10, Math.round(policy.heartbeatTimeoutMs / 1000)),
    'consent.textVersion': policy.consentTextVersion,
    'retention.connectionRecordsDays': 365,
  };
}

/** The policy the domain applies once an admin's settings are taken into account. */
export function policyWithSettings(policy: DomainPolicy, settings: Settings): DomainPolicy {
  return {
    ...policy,
    dailyQuota: settings['sessions.dailyQuota'],
    unusedCodeExpiryMs: settings['sessions.unusedCodeExpiryHours'] * 3_600_000,
    heartbeatTimeoutMs: settings['stations.heartbeatTimeoutSeconds'] * 1000,
    consentTextVersion: settings['consent.textVersion'],
  };
}
