import { CSV_BOM, csvRow, type CsvCell } from '../shared/csv.ts';
import type { ReportView } from './report-view.ts';

/**
 * One sheet per report: a row per local hour, then a total row. Figures only
 * (no names), so the file can go to whoever funds the EPN.
 */
export function reportCsv(report: ReportView): string {
  let header: string[];
  let rows: CsvCell[][];
  if (report.kind === 'sessions') {
    header = ['date', 'hour', 'sessions_started', 'minutes_used', 'visitors'];
    rows = report.perHour.map((h) => [report.day, h.hour, h.sessionsStarted, h.minutesUsed, h.visitors]);
    const t = report.totals;
    rows.push([report.day, 'total', t.sessionsStarted, t.minutesUsed, t.distinctVisitors]);
  } else {
    header = ['date', 'hour', 'events', 'errors'];
    rows = report.perHour.map((h) => [report.day, h.hour, h.events, h.errors]);
    rows.push([report.day, 'total', report.totals.events, report.totals.errors]);
  }
  return CSV_BOM + csvRow(header) + rows.map(csvRow).join('');
}

export function reportCsvFileName(report: ReportView): string {
  return `epnbox-${report.kind}-report-${report.day}.csv`;
}
