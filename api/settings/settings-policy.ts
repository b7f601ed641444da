import type { DomainPolicy } from '../shared/domain-context.ts';
import type { Settings } from './settings-schema.ts';

/**
 * Defaults for the runtime settings: the policy the configuration file built
 * (so "reset" returns to what the admin configured). The add-time buttons are
 * the one setting with no configuration key.
 */
export function settingsDefaultsFrom(policy: DomainPolicy): Settings {
  return {
    'sessions.dailyQuota': policy.dailyQuota,
    'sessions.defaultDurationMinutes': policy.defaultDurationMinutes,
    'sessions.addTimePresetsMinutes': [15, 30],
    'sessions.unusedCodeExpiryHours': Math.max(1, Math.round(policy.unusedCodeExpiryMs / 3_600_000)),
    'stations.autoApprove': policy.autoApprove,
    'stations.heartbeatTimeoutSeconds': Math.max(10, Math.round(policy.heartbeatTimeoutMs / 1000)),
    'consent.textVersion': policy.consentTextVersion,
    'retention.connectionRecordsDays': Math.max(365, policy.connectionRecordsDays),
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
    autoApprove: settings['stations.autoApprove'],
    defaultDurationMinutes: settings['sessions.defaultDurationMinutes'],
    connectionRecordsDays: settings['retention.connectionRecordsDays'],
  };
}
