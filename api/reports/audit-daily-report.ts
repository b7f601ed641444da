import { ERROR_ACTIONS, streamAuditRows } from '../audit/audit-queries.ts';
import type { Db } from '../db/schema.ts';
import { localParts } from '../shared/zoned-time.ts';
import type { LocalDay } from './report-days.ts';

export interface AuditReportTotals {
  events: number;
  /** Refused logins and codes, token reuse, lockouts, stations gone silent, system errors. */
  errors: number;
  byAction: Record<string, number>;
  byActorType: Record<string, number>;
}

export interface AuditHour {
  hour: number;
  events: number;
  errors: number;
}

export interface AuditReportFigures {
  totals: AuditReportTotals;
  perHour: AuditHour[];
}

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** The audit events of one local day, counted in one pass in id order (memory stays flat). */
export async function buildAuditReport(db: Db, day: LocalDay, timeZone: string): Promise<AuditReportFigures> {
  const errorActions = new Set<string>(ERROR_ACTIONS);
  const perHour: AuditHour[] = Array.from({ length: 24 }, (_, hour) => ({ hour, events: 0, errors: 0 }));
  const totals: AuditReportTotals = { events: 0, errors: 0, byAction: {}, byActorType: {} };
  for await (const row of streamAuditRows(db, { from: day.from, to: day.to })) {
    const isError = errorActions.has(row.action);
    const hour = perHour[localParts(Number(row.occurred_at), timeZone).hour]!;
    hour.events += 1;
    totals.events += 1;
    if (isError) {
      hour.errors += 1;
      totals.errors += 1;
    }
    bump(totals.byAction, row.action);
    bump(totals.byActorType, row.actor_type);
  }
  return { totals, perHour };
}
