import type { Db } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import { localParts, zonedTimeToEpoch } from '../shared/zoned-time.ts';

/** One run moves at most this many events; a backlog is worked off month after month. */
export const MAX_EVENTS_PER_ARCHIVE = 1_000_000;

/** The oldest events still in the table, all of them older than the cutoff. */
export interface ArchivePlan {
  cutoff: number;
  fromId: number;
  toId: number;
  count: number;
  firstPrevHash: string;
  lastHash: string;
  fromOccurredAt: number;
  toOccurredAt: number;
}

/** Start of the local month `afterMonths` whole months before the one containing `now`. */
export function archiveCutoff(now: number, timeZone: string, afterMonths: number): number {
  const p = localParts(now, timeZone);
  const monthIndex = p.year * 12 + (p.month - 1) - afterMonths;
  return zonedTimeToEpoch({ year: Math.floor(monthIndex / 12), month: (monthIndex % 12) + 1, day: 1 }, timeZone);
}

async function maxIdBelow(db: Db, limit: number): Promise<number | null> {
  const row = await db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('id')).where('id', '<', limit).executeTakeFirst();
  return row?.id === null || row?.id === undefined ? null : Number(row.id);
}

/**
 * The longest prefix of the chain (in id order) whose events all happened
 * before the cutoff, never including the chain head: the newest event stays
 * so the next append still links to it. Null when there is nothing to move.
 */
export async function planArchive(db: Db, now: number, timeZone: string, afterMonths: number, maxEvents = MAX_EVENTS_PER_ARCHIVE): Promise<ArchivePlan | null> {
  const cutoff = archiveCutoff(now, timeZone, afterMonths);
  return reading(async () => {
    const bounds = await db.selectFrom('audit_events').select((eb) => [eb.fn.min('id').as('first'), eb.fn.max('id').as('head')]).executeTakeFirstOrThrow();
    if (bounds.first === null || bounds.head === null) return null;
    const fromId = Number(bounds.first);
    const recent = await db.selectFrom('audit_events').select((eb) => eb.fn.min('id').as('id')).where('occurred_at', '>=', cutoff).executeTakeFirst();
    const nth = await db.selectFrom('audit_events').select('id').where('id', '>=', fromId).orderBy('id').offset(maxEvents).limit(1).executeTakeFirst();
    const limit = Math.min(Number(bounds.head), recent?.id == null ? Infinity : Number(recent.id), nth === undefined ? Infinity : Number(nth.id));
    const toId = await maxIdBelow(db, limit);
    if (toId === null || toId < fromId) return null;
    const first = await db.selectFrom('audit_events').select(['prev_hash', 'occurred_at']).where('id', '=', fromId).executeTakeFirstOrThrow();
    const last = await db.selectFrom('audit_events').select(['hash', 'occurred_at']).where('id', '=', toId).executeTakeFirstOrThrow();
    const count = await db.selectFrom('audit_events').select((eb) => eb.fn.countAll<number>().as('n')).where('id', '>=', fromId).where('id', '<=', toId).executeTakeFirstOrThrow();
    return {
      cutoff,
      fromId,
      toId,
      count: Number(count.n),
      firstPrevHash: first.prev_hash,
      lastHash: last.hash,
      fromOccurredAt: Number(first.occurred_at),
      toOccurredAt: Number(last.occurred_at),
    };
  });
}
