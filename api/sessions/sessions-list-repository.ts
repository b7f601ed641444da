import type { DbOrTx } from '../db/schema.ts';
import type { EndReason, Session, SessionStatus } from './sessions-table.ts';

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

function filtered(db: DbOrTx, f: SessionRowFilter) {
  let q = db.selectFrom('sessions');
  if (f.statuses !== undefined) q = q.where('status', 'in', f.statuses);
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
 * so pages never overlap.
 */
export async function listSessionRows(db: DbOrTx, f: SessionRowFilter): Promise<{ rows: Session[]; total: number }> {
  const rows = await filtered(db, f)
    .selectAll()
    .orderBy(f.sort, (ob) => (f.order === 'asc' ? ob.asc() : ob.desc()).nullsLast())
    .orderBy('id', f.order)
    .offset(f.offset)
    .limit(f.limit)
    .execute();
  const count = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { rows, total: Number(count.n) };
}
