import { inTransaction, reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DomainError, invalid } from '../shared/errors.ts';
import { clampPage, toPage, type Page, type PageRequest } from '../shared/pagination.ts';
import { buildAuditReport } from './audit-daily-report.ts';
import { reportCsv, reportCsvFileName } from './report-csv.ts';
import { checkDay, type LocalDay } from './report-days.ts';
import { toReportView, type ReportView } from './report-view.ts';
import { findReport, listReportRows, upsertReport, type ReportFilter } from './reports-repository.ts';
import type { ReportKind } from './reports-table.ts';
import { buildSessionsReport } from './sessions-daily-report.ts';

export function reportNotFound(id: number): DomainError {
  return new DomainError('REPORT_NOT_FOUND', 'not_found', { fr: `Rapport introuvable (${id})`, en: `report not found (${id})` }, { details: { id } });
}

/** Computes one local day's report and stores it, replacing an earlier one for that day (same id). */
export async function generateDailyReport(ctx: DomainContext, kind: ReportKind, day: LocalDay): Promise<{ id: number; replaced: boolean }> {
  const tz = ctx.policy.timeZone;
  const figures = kind === 'sessions' ? await buildSessionsReport(ctx, day) : await buildAuditReport(ctx.db, day, tz);
  const generatedAt = ctx.clock.now();
  return inTransaction(ctx.db, (trx) => upsertReport(trx, { kind, ...day, timeZone: tz, ...figures, generatedAt }));
}

export interface ReportListQuery extends PageRequest, ReportFilter {
  order?: 'asc' | 'desc';
}

/** Reports, latest day first unless asked otherwise; `from`/`to` are local days, both included. */
export async function listReports(ctx: Pick<DomainContext, 'db'>, query: ReportListQuery = {}): Promise<Page<ReportView>> {
  const page = clampPage(query);
  const from = query.from === undefined ? undefined : checkDay(query.from, 'from');
  const to = query.to === undefined ? undefined : checkDay(query.to, 'to');
  if (from !== undefined && to !== undefined && from > to) {
    throw invalid('REPORT_PERIOD_INVALID', 'La période est vide (début après la fin).', 'The period is empty (start after end).', [
      { field: 'from', fr: 'doit précéder ou égaler la fin', en: 'must be on or before the end' },
    ]);
  }
  const { rows, total } = await reading(() => listReportRows(ctx.db, { kind: query.kind, from, to }, { ...page, order: query.order ?? 'desc' }));
  return toPage(rows.map(toReportView), total, page);
}

export async function getReport(ctx: Pick<DomainContext, 'db'>, id: number): Promise<ReportView> {
  const row = await reading(() => findReport(ctx.db, id));
  if (row === undefined) throw reportNotFound(id);
  return toReportView(row);
}

/** A report as a spreadsheet: its file name and CSV text. */
export async function getReportCsv(ctx: Pick<DomainContext, 'db'>, id: number): Promise<{ fileName: string; csv: string }> {
  const report = await getReport(ctx, id);
  return { fileName: reportCsvFileName(report), csv: reportCsv(report) };
}
