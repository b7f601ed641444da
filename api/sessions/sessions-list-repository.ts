import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { arrayRows, type RowOf } from '../db/array-rows.ts';
import { shapedCompiled } from '../db/hot-query.ts';
import { rowsOfPage } from '../db/page-rows.ts';
import type { Database, DbOrTx } from '../db/schema.ts';
import { countedTotal } from '../shared/list-totals.ts';
import { LIVE_STATUSES, type EndReason, type Session, type SessionStatus } from './sessions-table.ts';
import { indexedBy } from '../db/indexed-by.ts';

export const SESSION_SORTS = ['created_at', 'started_at', 'ended_at', 'id'] as const;
export type SessionSort = (typeof SESSION_SORTS)[number];

/** A checked filter: every field already validated by the caller. */
export interface SessionRowFilter {
  statuses?: SessionStatus[];
  userId?: number;
  /** Station the session ran on (station_id), not the one it was bound to. */
  stationId?: number;
  /** Issued at or after (epoch ms). */
  from?: number;
  /** Issued before (epoch ms). */
  to?: number;
  endReasons?: EndReason[];
  sort: SessionSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/*
 * The live screen (every pending, active and suspended session, in issue order)
 * reads sessions_live_created_idx (migrations 007, 008), which holds only live
 * sessions. SQLite uses a partial index only when the query's WHERE repeats the
 * index's own condition as literals (a bound status list cannot prove it), and
 * even then its planner prefers sessions_status_idx and sorts every live row;
 * so the condition is written out and the index named. INDEXED BY fails the
 * query rather than falling back, so a missing index cannot go unnoticed.
 */
const LIVE_CONDITION = sql<SqlBool>`status in ('pending', 'active', 'suspended')`;
const LIVE_SOURCE = indexedBy('sessions', 'sessions_live_created_idx');

function isLiveScreen(f: SessionRowFilter): boolean {
  return (
    f.statuses !== undefined &&
    f.statuses.length === LIVE_STATUSES.length &&
    LIVE_STATUSES.every((s) => f.statuses!.includes(s)) &&
    f.sort === 'created_at' &&
    f.userId === undefined &&
    f.stationId === undefined
  );
}

/**
 * What decides the SQL of a list (compiled once per shape, hot-query.ts): which
 * filters are present and how many values each has, the sort. The values are
 * bound per call, in shapeOf's order.
 */
interface SessionsShape {
  live: boolean;
  statuses: number;
  userId: boolean;
  stationId: boolean;
  from: boolean;
  to: boolean;
  endReasons: number;
  sort: SessionSort;
  order: 'asc' | 'desc';
}

function shapeOf(f: SessionRowFilter): { shape: SessionsShape; args: unknown[] } {
  const live = isLiveScreen(f);
  const statuses = f.statuses !== undefined && !live ? f.statuses : [];
  const args: unknown[] = [...statuses];
  for (const value of [f.userId, f.stationId, f.from, f.to]) if (value !== undefined) args.push(value);
  args.push(...(f.endReasons ?? []));
  return {
    shape: {
      live,
      statuses: statuses.length,
      userId: f.userId !== undefined,
      stationId: f.stationId !== undefined,
      from: f.from !== undefined,
      to: f.to !== undefined,
      endReasons: f.endReasons?.length ?? 0,
      sort: f.sort,
      order: f.order,
    },
    args,
  };
}

/** The list's rows before paging; takes the filter values from `args` in shapeOf's order. */
function filtered(db: DbOrTx, shape: SessionsShape, args: readonly unknown[]) {
  let i = 0;
  const take = <T>(n: number) => args.slice(i, (i += n)) as T[];
  const next = <T>() => args[i++] as T;
  let q = shape.live ? db.selectFrom(LIVE_SOURCE).where(LIVE_CONDITION) : db.selectFrom('sessions');
  if (shape.statuses > 0) q = q.where('status', 'in', take<SessionStatus>(shape.statuses));
  if (shape.userId) q = q.where('user_id', '=', next<number>());
  if (shape.stationId) q = q.where('station_id', '=', next<number>());
  if (shape.from) q = q.where('created_at', '>=', next<number>());
  if (shape.to) q = q.where('created_at', '<', next<number>());
  if (shape.endReasons > 0) q = q.where('end_reason', 'in', take<EndReason>(shape.endReasons));
  return q;
}

/** Every column of a session, in the order sessionFromRow reads them. */
const COLUMNS = [
  'id', 'code', 'user_id', 'bound_station_id', 'station_id', 'station_ip', 'status', 'end_reason', 'allotted_ms', 'remaining_ms',
  'ends_at', 'code_expires_at', 'created_at', 'started_at', 'suspended_at', 'ended_at', 'created_by', 'updated_at',
] as const satisfies ReadonlyArray<keyof Session>;
type SessionRow = RowOf<Session, typeof COLUMNS>;

function sessionFromRow(r: SessionRow): Session {
  return {
    id: r[0], code: r[1], user_id: r[2], bound_station_id: r[3], station_id: r[4], station_ip: r[5], status: r[6], end_reason: r[7], allotted_ms: r[8],
    remaining_ms: r[9], ends_at: r[10], code_expires_at: r[11], created_at: r[12], started_at: r[13], suspended_at: r[14], ended_at: r[15],
    created_by: r[16], updated_at: r[17],
  };
}

const countQuery = shapedCompiled((db, shape: SessionsShape, args) => filtered(db, shape, args).select((eb) => eb.fn.countAll<number>().as('n')));

function sorted<O>(q: SelectQueryBuilder<Database, 'sessions', O>, shape: SessionsShape): SelectQueryBuilder<Database, 'sessions', O> {
  return q.orderBy(shape.sort, (ob) => (shape.order === 'asc' ? ob.asc() : ob.desc()).nullsLast()).orderBy('id', shape.order);
}

// Limit and offset are the last two values.
const pageQuery = shapedCompiled(
  (db, shape: SessionsShape, args) => {
    const pageIds = sorted(filtered(db, shape, args.slice(0, -2)).select('id'), shape)
      .offset(args.at(-1) as number)
      .limit(args.at(-2) as number);
    return rowsOfPage(db, 'sessions', pageIds, COLUMNS);
  },
  { arrayRows: true },
);

/**
 * One page of sessions and the total matching. Sessions without the sorted
 * time (never started, not ended) come last either way; ties are broken by id
 * so pages never overlap. The page's ids are found first, walking only an index
 * over the skipped rows, then only those rows are read.
 */
export async function listSessionRows(db: DbOrTx, f: SessionRowFilter): Promise<{ rows: Session[]; total: number }> {
  const { shape, args } = shapeOf(f);
  const rows = await arrayRows<SessionRow>(db, pageQuery(db, shape, [...args, f.limit, f.offset]));
  const total = await countedTotal(db, 'sessions', countQuery(db, shape, args));
  return { rows: rows.map(sessionFromRow), total };
}
