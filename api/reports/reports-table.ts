import type { Generated, Selectable } from 'kysely';

export const REPORT_KINDS = ['sessions', 'audit'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

/**
 * Daily reports, one per kind and local day (UNIQUE kind, day). Generating a
 * day again replaces its figures and keeps its id. Figures only, no personal
 * data: reports outlive the connection records they were computed from.
 */
export interface ReportsTable {
  id: Generated<number>;
  kind: ReportKind;
  /** Local calendar date YYYY-MM-DD in time_zone. */
  day: string;
  time_zone: string;
  /** [period_from, period_to): the local day in epoch ms. */
  period_from: number;
  period_to: number;
  /** JSON object: the day's totals (shape depends on kind). */
  totals: string;
  /** JSON array of 24 objects, one per local hour. */
  per_hour: string;
  generated_at: number;
}

export type ReportRow = Selectable<ReportsTable>;
