import { systemActor } from '../audit/audit-actions.ts';
import { inTransaction, reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { applyChange, type Planner } from './session-change.ts';
import { releaseOnEnd } from './session-lifecycle.ts';
import { EXPIRY_BATCH } from './session-limits.ts';
import type { SessionAction } from './session-transitions.ts';
import { toSessionView, type SessionView } from './session-view.ts';
import {
  earliestCodeExpiry,
  findDueActive,
  findExpiredPending,
  findSessionById,
  listActiveDeadlines,
  type ActiveDeadline,
} from './sessions-repository.ts';
import type { Session } from './sessions-table.ts';
import { nextTurn } from '../shared/next-turn.ts';

/**
 * Pending sessions whose code passed code_expires_at by `now` end with reason
 * code_expired, dated at the expiry instant (not when the sweep ran); one
 * `session.code_expired` event each. Returns the ended sessions.
 */
export async function expireUnusedCodes(ctx: DomainContext, now: number): Promise<SessionView[]> {
  return sweep(ctx, now, (db) => findExpiredPending(db, now, EXPIRY_BATCH), isCodeDue, 'expire_code', (session) => ({
    patch: { end_reason: 'code_expired', ended_at: session.code_expires_at },
    audit: 'session.code_expired',
    metadata: { userId: session.user_id, codeExpiresAt: session.code_expires_at },
  }));
}

/**
 * Active sessions whose deadline is at or before `now` end with reason
 * expired. ended_at is the deadline itself, the true end (the station locked
 * itself then), however late the sweep runs. The station goes back to
 * available if still occupied; one `session.expired` event each.
 */
export async function expireDueSessions(ctx: DomainContext, now: number): Promise<SessionView[]> {
  return sweep(ctx, now, (db) => findDueActive(db, now, EXPIRY_BATCH), isSessionDue, 'expire', (session) => ({
    patch: { end_reason: 'expired', ended_at: session.ends_at, remaining_ms: 0, ends_at: null },
    audit: 'session.expired',
    metadata: { userId: session.user_id, stationId: session.station_id, allottedMs: session.allotted_ms, endedAt: session.ends_at },
    also: releaseOnEnd(session, now),
  }));
}

const isCodeDue = (s: Session, now: number): boolean => s.status === 'pending' && s.code_expires_at <= now;
const isSessionDue = (s: Session, now: number): boolean => s.status === 'active' && s.ends_at !== null && s.ends_at <= now;

/**
 * One transaction per session, so a slow sweep never holds the writer long
 * and one session's failure never undoes another's. Each row is read again
 * inside its transaction: time added meanwhile keeps it alive.
 */
async function sweep(
  ctx: DomainContext,
  now: number,
  find: (db: DomainContext['db']) => Promise<Session[]>,
  stillDue: (s: Session, now: number) => boolean,
  action: SessionAction,
  planner: Planner,
): Promise<SessionView[]> {
  const done: SessionView[] = [];
  let units = 0;
  for (;;) {
    const batch = await reading(() => find(ctx.db));
    let changed = 0;
    for (const candidate of batch) {
      // Many deadlines at once (a room's sessions booked together) must not hold the loop: requests go between.
      if (units++ > 0) await nextTurn();
      const ended = await inTransaction(ctx.db, async (trx) => {
        const session = await findSessionById(trx, candidate.id);
        if (session === undefined || !stillDue(session, now)) return undefined;
        return applyChange(trx, ctx, session, action, systemActor, planner, now);
      });
      if (ended !== undefined) {
        done.push(toSessionView(ended, now));
        changed += 1;
      }
    }
    if (batch.length < EXPIRY_BATCH || changed === 0) return done;
  }
}

/** Active sessions and their deadlines, earliest first: what a scheduler arms timers from. */
export async function activeDeadlines(ctx: DomainContext): Promise<ActiveDeadline[]> {
  return reading(() => listActiveDeadlines(ctx.db));
}

/** The earliest deadline of an active session, or null when none runs. */
export async function nextDeadline(ctx: DomainContext): Promise<number | null> {
  const all = await activeDeadlines(ctx);
  return all[0]?.endsAt ?? null;
}

/** The earliest expiry of a pending code, or null when no code waits. */
export async function nextCodeExpiry(ctx: DomainContext): Promise<number | null> {
  return reading(() => earliestCodeExpiry(ctx.db));
}
