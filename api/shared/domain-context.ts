import type { Db } from '../db/schema.ts';
import type { Clock } from './clock.ts';

/** The rules the domain applies; built from the validated configuration. */
export interface DomainPolicy {
  /** IANA zone that defines "a day" for quotas and statistics. */
  timeZone: string;
  /** Sessions a visitor may receive per local day. */
  dailyQuota: number;
  /** Characters in an access code (8 by default). */
  codeLength: number;
  /** An unused code expires this long after it was issued. */
  unusedCodeExpiryMs: number;
  /** A station without a heartbeat for this long is shown offline. */
  heartbeatTimeoutMs: number;
  /** Version of the consent text the visitor agrees to (RGPD). */
  consentTextVersion: string;
  /** Below this age a guardian's consent is required. */
  guardianConsentBelowAge: number;
  /** A station seen at boot for the first time is available at once instead of pending. */
  autoApprove: boolean;
  /** Time a new access code grants unless the operator says otherwise. */
  defaultDurationMinutes: number;
  /** Days connection records (station, IP, start, end) are kept. */
  connectionRecordsDays: number;
  /**
   * Local opening hours per weekday (minutes since local midnight, end 1440 =
   * 24:00); absent = always open. See api/sessions/opening-hours.ts.
   */
  openingHours?: WeeklyHours;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
/** One open range of a local day, [startMinute, endMinute). */
export interface OpenRange {
  startMinute: number;
  endMinute: number;
}
export type WeeklyHours = Readonly<Record<Weekday, readonly OpenRange[]>>;

export const defaultPolicy: DomainPolicy = {
  timeZone: 'Indian/Reunion',
  dailyQuota: 3,
  codeLength: 8,
  unusedCodeExpiryMs: 24 * 3600_000,
  heartbeatTimeoutMs: 30_000,
  consentTextVersion: '2026-01',
  guardianConsentBelowAge: 15,
  autoApprove: false,
  defaultDurationMinutes: 60,
  connectionRecordsDays: 365,
};

/** What every domain service receives: no globals. */
export interface DomainContext {
  db: Db;
  clock: Clock;
  policy: DomainPolicy;
}
