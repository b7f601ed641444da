import { sql, type SqlBool } from 'kysely';
import type { DbOrTx } from '../db/schema.ts';
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
 * reads sessions_live_created_idx (migration 007), which holds only live
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

function filtered(db: DbOrTx, f: SessionRowFilter) {
  const live = isLiveScreen(f);
  let q = live ? db.selectFrom(LIVE_SOURCE).where(LIVE_CONDITION) : db.selectFrom('sessions');
  if (f.statuses !== undefined && !live) q = q.where('status', 'in', f.statuses);
  if (f.userId !== undefined) q = q.where('user_id', '=', f.userId);
  if (f.stationId !== undefined) q = q.where('station_id', '=', f.stationId);
  if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('created_at', '<', f.to);
  if (f.endReasons !== undefined) q = q.where('end_reason', 'in', f.endReasons);
  return q;
}

/**
 * One page of sessions and the total matching. Sessions without the sorted
 * time (never started, not ended) come last either way; ties are broken by id
 * so pages never overlap. The page's ids are found first, walking only an index
 * over the skipped rows, then only those rows are read.
 */
export async function listSessionRows(db: DbOrTx, f: SessionRowFilter): Promise<{ rows: Session[]; total: number }> {
  const pageIds = filtered(db, f)
    .select('id')
    .orderBy(f.sort, (ob) => (f.order === 'asc' ? ob.asc() : ob.desc()).nullsLast())
    .orderBy('id', f.order)
    .offset(f.offset)
    .limit(f.limit);
  const rows = await db
    .selectFrom('sessions')
    .selectAll()
    .where('id', 'in', pageIds)
    .orderBy(f.sort, (ob) => (f.order === 'asc' ? ob.asc() : ob.desc()).nullsLast())
    .orderBy('id', f.order)
    .execute();
  const total = await countedTotal(db, 'sessions', filtered(db, f).select((eb) => eb.fn.countAll<number>().as('n')));
  return { rows, total };
}
