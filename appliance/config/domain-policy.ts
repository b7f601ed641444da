import { isAlwaysOpen, parseDayRanges } from '../../api/sessions/opening-hours.ts';
import type { DomainPolicy, OpenRange, WeeklyHours } from '../../api/shared/domain-context.ts';
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
    autoApprove: config.stations.autoApprove,
    defaultDurationMinutes: config.sessions.defaultDurationMinutes,
    connectionRecordsDays: config.retention.connectionRecordsDays,
    ...openingHoursFrom(config.openingHours),
  };
}

/** Absent when open around the clock every day, so the start path has nothing to check. */
function openingHoursFrom(days: AppConfig['openingHours']): Pick<DomainPolicy, 'openingHours'> {
  // resolveConfig already refused malformed days.
  const ranges = (text: string): OpenRange[] => parseDayRanges(text) ?? [];
  const hours: WeeklyHours = {
    mon: ranges(days.mon),
    tue: ranges(days.tue),
    wed: ranges(days.wed),
    thu: ranges(days.thu),
    fri: ranges(days.fri),
    sat: ranges(days.sat),
    sun: ranges(days.sun),
  };
  return isAlwaysOpen(hours) ? {} : { openingHours: hours };
}
