import type { AuditHour, AuditReportTotals } from './audit-daily-report.ts';
import type { ReportRow } from './reports-table.ts';
import type { SessionsHour, SessionsReportTotals } from './sessions-daily-report.ts';

interface ReportBase {
  id: number;
  day: string;
  timeZone: string;
  /** [from, to): the local day, epoch ms. */
  from: number;
  to: number;
  generatedAt: number;
}

export type SessionsReportView = ReportBase & { kind: 'sessions'; totals: SessionsReportTotals; perHour: SessionsHour[] };
export type AuditReportView = ReportBase & { kind: 'audit'; totals: AuditReportTotals; perHour: AuditHour[] };
export type ReportView = SessionsReportView | AuditReportView;

/** The stored JSON was written by this code (upsertReport), so it is parsed, not re-validated. */
export function toReportView(row: ReportRow): ReportView {
  const base = {
    id: row.id,
    day: row.day,
    timeZone: row.time_zone,
    from: Number(row.period_from),
    to: Number(row.period_to),
    generatedAt: Number(row.generated_at),
  };
  return row.kind === 'sessions'
    ? { ...base, kind: 'sessions', totals: JSON.parse(row.totals) as SessionsReportTotals, perHour: JSON.parse(row.per_hour) as SessionsHour[] }
    : { ...base, kind: 'audit', totals: JSON.parse(row.totals) as AuditReportTotals, perHour: JSON.parse(row.per_hour) as AuditHour[] };
}
