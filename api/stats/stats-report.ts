import type { DbOrTx } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { localDayBounds } from '../shared/zoned-time.ts';
import type { StationStats, UserStats } from './stats-accumulators.ts';
import type { StatsPeriod } from './stats-period.ts';
import { computeStats, type StatsReport } from './stats-service.ts';

/** A period as a caller gives it: either bound may be absent. */
export interface PeriodInput {
  from?: number;
  to?: number;
}

/**
 * Fills absent bounds with local days: `to` defaults to the end of today,
 * `from` to the start of the local day `to` falls in (so no bounds at all
 * means "today"). A reversed result is left for checkPeriod to refuse.
 */
export function periodOrToday(input: PeriodInput, now: number, timeZone: string): StatsPeriod {
  const to = input.to ?? localDayBounds(now, timeZone).end;
  const from = input.from ?? localDayBounds(to - 1, timeZone).start;
  return { from, to };
}

export interface NamedUserStats extends UserStats {
  /** "First Last"; null once the visitor was anonymised (consent withdrawn or deleted). */
  displayName: string | null;
  anonymised: boolean;
}

export interface NamedStationStats extends StationStats {
  /** Null only if the row vanished (never, short of manual edits). */
  name: string | null;
  /** Deleted since: its sessions still count. */
  deleted: boolean;
}

export interface NamedStatsReport extends Omit<StatsReport, 'perUser' | 'perStation'> {
  perUser: NamedUserStats[];
  perStation: NamedStationStats[];
}

// Bound parameters per IN list stay well below every engine's limit.
const CHUNK = 500;

async function inChunks<T>(ids: number[], load: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) rows.push(...(await load(ids.slice(i, i + CHUNK))));
  return rows;
}

async function visitorNames(db: DbOrTx, ids: number[]): Promise<Map<number, { displayName: string | null; anonymised: boolean }>> {
  const rows = await inChunks(ids, (chunk) =>
    db.selectFrom('users').select(['id', 'first_name', 'last_name', 'anonymised_at', 'deleted_at']).where('id', 'in', chunk).execute(),
  );
  return new Map(
    rows.map((r) => {
      const anonymised = r.anonymised_at !== null || r.deleted_at !== null;
      const name = [r.first_name, r.last_name].filter((part) => part !== null && part !== '').join(' ');
      return [r.id, { displayName: anonymised || name === '' ? null : name, anonymised }];
    }),
  );
}

async function stationNames(db: DbOrTx, ids: number[]): Promise<Map<number, { name: string; deleted: boolean }>> {
  const rows = await inChunks(ids, (chunk) => db.selectFrom('stations').select(['id', 'name', 'deleted_at']).where('id', 'in', chunk).execute());
  return new Map(rows.map((r) => [r.id, { name: r.name, deleted: r.deleted_at !== null }]));
}

/**
 * Statistics over a period (today by default) with the names an operator
 * reads: visitors' names unless anonymised, stations' names even if deleted.
 */
export async function statsReport(ctx: DomainContext, input: PeriodInput = {}): Promise<NamedStatsReport> {
  const report = await computeStats(ctx, periodOrToday(input, ctx.clock.now(), ctx.policy.timeZone));
  const [users, stations] = await reading(() =>
    Promise.all([visitorNames(ctx.db, report.perUser.map((u) => u.userId)), stationNames(ctx.db, report.perStation.map((s) => s.stationId))]),
  );
  return {
    ...report,
    perUser: report.perUser.map((u) => ({ ...u, ...(users.get(u.userId) ?? { displayName: null, anonymised: false }) })),
    perStation: report.perStation.map((s) => ({ ...s, ...(stations.get(s.stationId) ?? { name: null, deleted: false }) })),
  };
}
