import type { EndReason } from '../sessions/sessions-table.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import type { HourStats } from '../stats/stats-accumulators.ts';
import { computeStats } from '../stats/stats-service.ts';
import type { LocalDay } from './report-days.ts';

export interface SessionsReportTotals {
  /** Access codes issued that day, whatever became of them. */
  sessionsCreated: number;
  sessionsStarted: number;
  /** Time used inside the day (sessions crossing midnight clipped), one decimal. */
  minutesUsed: number;
  distinctVisitors: number;
  stationsUsed: number;
  /** Codes issued that day by how they ended (as of the report). */
  byEndReason: Record<EndReason, number>;
}

/** Local hour of the day: sessions started in it, minutes used in it, visitors seen in it. */
export type SessionsHour = HourStats;

export interface SessionsReportFigures {
  totals: SessionsReportTotals;
  perHour: SessionsHour[];
}

/** The sessions of one local day, from the same computation as the statistics pages. */
export async function buildSessionsReport(ctx: DomainContext, day: LocalDay): Promise<SessionsReportFigures> {
  const stats = await computeStats(ctx, { from: day.from, to: day.to });
  const t = stats.totals;
  return {
    totals: {
      sessionsCreated: t.sessionsCreated,
      sessionsStarted: t.sessionsStarted,
      minutesUsed: t.minutesUsed,
      distinctVisitors: t.distinctVisitors,
      stationsUsed: stats.perStation.filter((s) => s.minutesUsed > 0 || s.sessions > 0).length,
      byEndReason: t.byEndReason,
    },
    perHour: stats.perHour,
  };
}
