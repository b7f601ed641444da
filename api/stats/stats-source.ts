import type { Db } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import type { EndReason, SessionStatus } from '../sessions/sessions-table.ts';
import type { UsageRow } from './session-usage.ts';
import type { StatsPeriod } from './stats-period.ts';

const COLUMNS = ['id', 'user_id', 'station_id', 'status', 'end_reason', 'allotted_ms', 'remaining_ms', 'ends_at', 'started_at', 'suspended_at', 'ended_at'] as const;

export interface ScanOptions {
  /** Rows read per query. */
  pageSize: number;
  /**
   * How far before the period an ended session may have started and still
   * reach into it. Bounds the index scan; live sessions are always found,
   * whenever they started.
   */
  lookbackMs: number;
}

/** Live sessions that started before the lookback window (rare: forgotten suspensions). */
async function oldLiveSessions(db: Db, before: number): Promise<UsageRow[]> {
  return reading(() =>
    db.selectFrom('sessions').select(COLUMNS).where('status', 'in', ['active', 'suspended']).where('started_at', '<', before).orderBy('id').execute(),
  );
}

/**
 * Sessions that may have used time in the period or started in it, in pages
 * ordered by (started_at, id) on the started_at index. Keyset pages, not
 * OFFSET, so the cost stays linear and the connection is free between pages.
 * Portable SQL: comparisons on integer columns only.
 */
export async function* sessionsForPeriod(db: Db, period: StatsPeriod, options: ScanOptions): AsyncGenerator<UsageRow[]> {
  const pageSize = Math.max(1, Math.trunc(options.pageSize) || 1);
  const windowStart = period.from - Math.max(0, options.lookbackMs);
  const old = await oldLiveSessions(db, windowStart);
  if (old.length > 0) yield old;
  let after: { startedAt: number; id: number } | null = null;
  for (;;) {
    const key = after;
    const page = await reading(() => {
      let query = db
        .selectFrom('sessions')
        .select(COLUMNS)
        .where('started_at', '>=', windowStart)
        .where('started_at', '<', period.to)
        .where((eb) => eb.or([eb('ended_at', 'is', null), eb('ended_at', '>=', period.from)]));
      if (key !== null) {
        query = query.where((eb) => eb.or([eb('started_at', '>', key.startedAt), eb.and([eb('started_at', '=', key.startedAt), eb('id', '>', key.id)])]));
      }
      return query.orderBy('started_at').orderBy('id').limit(pageSize).execute();
    });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { startedAt: last.started_at!, id: last.id };
  }
}

export interface CreatedCount {
  status: SessionStatus;
  endReason: EndReason | null;
  count: number;
}

/** Access codes issued in the period, by status and end reason (a portable GROUP BY). */
export async function sessionsCreatedIn(db: Db, period: StatsPeriod): Promise<CreatedCount[]> {
  const rows = await reading(() =>
    db
      .selectFrom('sessions')
      .select((eb) => ['status', 'end_reason', eb.fn.countAll<number>().as('n')])
      .where('created_at', '>=', period.from)
      .where('created_at', '<', period.to)
      .groupBy(['status', 'end_reason'])
      .execute(),
  );
  return rows.map((r) => ({ status: r.status, endReason: r.end_reason, count: Number(r.n) }));
}

/** Sessions running at this instant, whatever the period. */
export async function runningNow(db: Db): Promise<{ active: number; suspended: number }> {
  const rows = await reading(() =>
    db
      .selectFrom('sessions')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .where('status', 'in', ['active', 'suspended'])
      .groupBy('status')
      .execute(),
  );
  const count = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { active: count('active'), suspended: count('suspended') };
}
