import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import type { Db } from '../db/schema.ts';
import { inTransaction, reading } from '../db/transaction.ts';
import { CSV_BOM, csvRow } from '../shared/csv.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { invalid } from '../shared/errors.ts';
import { codeFingerprint } from './access-code.ts';
import { sessionTiming } from './session-timing.ts';

export const SESSIONS_CSV_HEADER = [
  'id',
  'code_fingerprint',
  'user_id',
  'station_name',
  'station_ip',
  'status',
  'end_reason',
  'created_at',
  'started_at',
  'ended_at',
  'allotted_minutes',
  'used_minutes',
];

/** Rows per query: a year of an EPN is tens of thousands of rows, read a few pages at a time. */
export const EXPORT_PAGE = 2000;

/** Issue period [from, to) in epoch ms. */
export interface ExportPeriod {
  from: number;
  to: number;
}

function checkExportPeriod(period: ExportPeriod): ExportPeriod {
  const { from, to } = period;
  if (Number.isSafeInteger(from) && Number.isSafeInteger(to) && from < to) return { from, to };
  throw invalid('PERIOD_INVALID', 'Période invalide : le début doit précéder la fin.', 'Invalid period: the start must come before the end.', [
    { field: 'to', fr: 'après le début', en: 'after the start' },
  ]);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
const minutes = (ms: number) => Math.round(ms / 6_000) / 10;

async function* rowsOf(db: Db, period: ExportPeriod, pageSize: number) {
  let after: { createdAt: number; id: number } | null = null;
  for (;;) {
    const key = after;
    const page = await reading(() => {
      let q = db
        .selectFrom('sessions')
        .leftJoin('stations', 'stations.id', 'sessions.station_id')
        .select(['sessions.id', 'sessions.code', 'sessions.user_id', 'stations.name as station_name', 'sessions.station_ip', 'sessions.status'])
        .select(['sessions.end_reason', 'sessions.created_at', 'sessions.started_at', 'sessions.ended_at', 'sessions.allotted_ms'])
        .select(['sessions.remaining_ms', 'sessions.ends_at'])
        .where('sessions.created_at', '>=', period.from)
        .where('sessions.created_at', '<', period.to);
      if (key !== null) {
        q = q.where((eb) =>
          eb.or([eb('sessions.created_at', '>', key.createdAt), eb.and([eb('sessions.created_at', '=', key.createdAt), eb('sessions.id', '>', key.id)])]),
        );
      }
      return q.orderBy('sessions.created_at').orderBy('sessions.id').limit(pageSize).execute();
    });
    yield* page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { createdAt: last.created_at, id: last.id };
  }
}

async function* csvLines(ctx: DomainContext, period: ExportPeriod, pageSize: number): AsyncGenerator<string> {
  yield CSV_BOM + csvRow(SESSIONS_CSV_HEADER);
  for await (const r of rowsOf(ctx.db, period, pageSize)) {
    const timing = sessionTiming(r, ctx.clock.now());
    yield csvRow([
      r.id,
      codeFingerprint(r.code),
      r.user_id,
      r.station_name,
      r.station_ip,
      r.status,
      r.end_reason,
      iso(r.created_at),
      iso(r.started_at),
      iso(r.ended_at),
      minutes(timing.allottedMs),
      minutes(timing.elapsedMs),
    ]);
  }
}

/**
 * The connection records of the sessions issued in [from, to), oldest first,
 * as CSV lines (header first) read in keyset pages so a year's export stays
 * flat in memory. The code itself is never exported, only its fingerprint
 * (the one the audit trail uses). The export is audited (`data.exported`)
 * before the first line, so a refused period or a failing database is an
 * error, not a truncated file.
 */
export async function exportSessionsCsv(
  ctx: DomainContext,
  period: ExportPeriod,
  actor: Actor,
  options: { pageSize?: number } = {},
): Promise<AsyncGenerator<string>> {
  const checked = checkExportPeriod(period);
  await inTransaction(ctx.db, (trx) =>
    appendAudit(trx, ctx.clock, {
      actor,
      action: 'data.exported',
      target: { type: 'system', id: null },
      metadata: { dataset: 'sessions', format: 'csv', from: checked.from, to: checked.to },
    }),
  );
  return csvLines(ctx, checked, Math.max(1, options.pageSize ?? EXPORT_PAGE));
}
