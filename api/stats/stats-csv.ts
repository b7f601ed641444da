import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { inTransaction } from '../db/transaction.ts';
import { CSV_BOM, csvRow, type CsvCell } from '../shared/csv.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { statsReport, type NamedStatsReport, type PeriodInput } from './stats-report.ts';

export const STATS_CSV_VIEWS = ['day', 'hour', 'station', 'user'] as const;
export type StatsCsvView = (typeof STATS_CSV_VIEWS)[number];

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** One table per view, so each file opens as a plain sheet. */
const TABLES: Record<StatsCsvView, { header: string[]; rows: (r: NamedStatsReport) => CsvCell[][] }> = {
  day: {
    header: ['date', 'sessions_started', 'minutes_used', 'visitors'],
    rows: (r) => r.perDay.map((d) => [d.date, d.sessionsStarted, d.minutesUsed, d.visitors]),
  },
  hour: {
    header: ['hour', 'sessions_started', 'minutes_used', 'visitors'],
    rows: (r) => r.perHour.map((h) => [h.hour, h.sessionsStarted, h.minutesUsed, h.visitors]),
  },
  station: {
    header: ['station_id', 'station_name', 'deleted', 'sessions', 'minutes_used', 'occupancy'],
    rows: (r) => r.perStation.map((s) => [s.stationId, s.name, s.deleted, s.sessions, s.minutesUsed, s.occupancy]),
  },
  user: {
    header: ['user_id', 'display_name', 'anonymised', 'sessions', 'minutes_used', 'last_visit_at'],
    rows: (r) => r.perUser.map((u) => [u.userId, u.displayName, u.anonymised, u.sessions, u.minutesUsed, iso(u.lastVisitAt)]),
  },
};

/**
 * Statistics of a period as CSV, one view per file (days in the local time
 * zone, hours of the day, stations, visitors). Audited as `data.exported`
 * (the visitor view carries names) once the figures are computed, so a
 * refused period writes no event.
 */
export async function exportStatsCsv(ctx: DomainContext, actor: Actor, input: PeriodInput, view: StatsCsvView): Promise<string> {
  const report = await statsReport(ctx, input);
  const table = TABLES[view];
  const { from, to } = report.period;
  await inTransaction(ctx.db, (trx) =>
    appendAudit(trx, ctx.clock, { actor, action: 'data.exported', target: { type: 'system', id: null }, metadata: { dataset: 'stats', view, format: 'csv', from, to } }),
  );
  return CSV_BOM + csvRow(table.header) + table.rows(report).map(csvRow).join('');
}
