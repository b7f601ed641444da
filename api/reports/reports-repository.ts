import type { DbOrTx } from '../db/schema.ts';
import type { ReportKind, ReportRow } from './reports-table.ts';

export interface ReportFigures {
  kind: ReportKind;
  day: string;
  timeZone: string;
  from: number;
  to: number;
  totals: object;
  perHour: object[];
  generatedAt: number;
}

/**
 * Inserts the day's report or replaces its figures in place (same id):
 * generating a day twice never leaves two reports for it.
 */
export async function upsertReport(db: DbOrTx, r: ReportFigures): Promise<{ id: number; replaced: boolean }> {
  const existing = await db.selectFrom('reports').select('id').where('kind', '=', r.kind).where('day', '=', r.day).executeTakeFirst();
  const values = {
    time_zone: r.timeZone,
    period_from: r.from,
    period_to: r.to,
    totals: JSON.stringify(r.totals),
    per_hour: JSON.stringify(r.perHour),
    generated_at: r.generatedAt,
  };
  if (existing !== undefined) {
    await db.updateTable('reports').set(values).where('id', '=', existing.id).execute();
    return { id: existing.id, replaced: true };
  }
  const row = await db.insertInto('reports').values({ kind: r.kind, day: r.day, ...values }).returning('id').executeTakeFirstOrThrow();
  return { id: row.id, replaced: false };
}

export async function findReport(db: DbOrTx, id: number): Promise<ReportRow | undefined> {
  return db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The latest day a report of this kind exists for, or null. */
export async function latestReportDay(db: DbOrTx, kind: ReportKind): Promise<string | null> {
  const row = await db.selectFrom('reports').select('day').where('kind', '=', kind).orderBy('day', 'desc').limit(1).executeTakeFirst();
  return row?.day ?? null;
}

export interface ReportFilter {
  kind?: ReportKind;
  /** First local day included (YYYY-MM-DD). */
  from?: string;
  /** Last local day included (YYYY-MM-DD). */
  to?: string;
}

export async function listReportRows(
  db: DbOrTx,
  filter: ReportFilter,
  page: { limit: number; offset: number; order: 'asc' | 'desc' },
): Promise<{ rows: ReportRow[]; total: number }> {
  let q = db.selectFrom('reports');
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  if (filter.from !== undefined) q = q.where('day', '>=', filter.from);
  if (filter.to !== undefined) q = q.where('day', '<=', filter.to);
  const [rows, count] = await Promise.all([
    q.selectAll().orderBy('day', page.order).orderBy('kind').limit(page.limit).offset(page.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** Removes reports whose day ended before `cutoff`; returns how many. */
export async function deleteReportsEndedBefore(db: DbOrTx, cutoff: number): Promise<number> {
  const result = await db.deleteFrom('reports').where('period_to', '<', cutoff).executeTakeFirst();
  return Number(result.numDeletedRows);
}
