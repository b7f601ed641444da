import { reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { invalid, notFound } from '../shared/errors.ts';
import { clampPage, toPage, type Page, type PageRequest } from '../shared/pagination.ts';
import { checkId } from './session-errors.ts';
import { toSessionView, type SessionView } from './session-view.ts';
import { sessionTiming } from './session-timing.ts';
import { SESSION_SORTS, listSessionRows, type SessionSort } from './sessions-list-repository.ts';
import { findRunningSessionOnStation, findSessionById, listLiveSessions } from './sessions-repository.ts';
import { END_REASONS, SESSION_STATUSES, type EndReason, type Session, type SessionStatus } from './sessions-table.ts';

export async function getSession(ctx: DomainContext, sessionId: number): Promise<SessionView> {
  checkId('sessionId', sessionId);
  const session = await reading(() => findSessionById(ctx.db, sessionId));
  if (session === undefined) throw notFound('session', sessionId);
  return toSessionView(session, ctx.clock.now());
}

export interface SessionListQuery extends PageRequest {
  status?: SessionStatus | SessionStatus[];
  userId?: number;
  /** Station the session ran on. */
  stationId?: number;
  /** Period on the issue time (created_at): from inclusive, to exclusive, epoch ms. */
  from?: number;
  to?: number;
  endReason?: EndReason | EndReason[];
  /** Default created_at. */
  sort?: SessionSort;
  /** Default desc (newest first). */
  order?: 'asc' | 'desc';
}

/** History and search for the panel: filtered, sorted, one page with the total. */
export async function listSessions(ctx: DomainContext, query: SessionListQuery = {}): Promise<Page<SessionView>> {
  const page = clampPage(query);
  const statuses = oneOf('status', query.status, SESSION_STATUSES);
  const endReasons = oneOf('endReason', query.endReason, END_REASONS);
  const sort = oneOf('sort', query.sort ?? 'created_at', SESSION_SORTS)?.[0] ?? 'created_at';
  const order = oneOf('order', query.order ?? 'desc', ['asc', 'desc'] as const)?.[0] ?? 'desc';
  if (query.userId !== undefined) checkId('userId', query.userId);
  if (query.stationId !== undefined) checkId('stationId', query.stationId);
  checkPeriod(query.from, query.to);
  const { rows, total } = await reading(() =>
    listSessionRows(ctx.db, {
      ...(statuses && { statuses }),
      ...(endReasons && { endReasons }),
      ...(query.userId !== undefined && { userId: query.userId }),
      ...(query.stationId !== undefined && { stationId: query.stationId }),
      ...(query.from !== undefined && { from: query.from }),
      ...(query.to !== undefined && { to: query.to }),
      sort,
      order,
      offset: page.offset,
      limit: page.limit,
    }),
  );
  const now = ctx.clock.now();
  return toPage(
    rows.map((r) => toSessionView(r, now)),
    total,
    page,
  );
}

/** Every pending, active and suspended session with its timing, oldest first. */
export async function liveSessions(ctx: DomainContext): Promise<SessionView[]> {
  const rows = await reading(() => listLiveSessions(ctx.db));
  const now = ctx.clock.now();
  return rows.map((r) => toSessionView(r, now));
}

/** The session running (active or suspended) on a station, or null: what an agent gets back after reconnecting. */
export async function sessionForStation(ctx: DomainContext, stationId: number): Promise<SessionView | null> {
  checkId('stationId', stationId);
  const row = await reading(() => findRunningSessionOnStation(ctx.db, stationId));
  return row === undefined ? null : toSessionView(row, ctx.clock.now());
}

export interface TimeRemaining {
  sessionId: number;
  status: SessionStatus;
  remainingMs: number;
  /** Deadline while active, else null. */
  endsAt: number | null;
  /** The server's clock when this was computed, so an agent can correct its own clock's offset. */
  serverNow: number;
}

export async function timeRemaining(ctx: DomainContext, sessionId: number): Promise<TimeRemaining> {
  checkId('sessionId', sessionId);
  const session = await reading(() => findSessionById(ctx.db, sessionId));
  if (session === undefined) throw notFound('session', sessionId);
  return timeRemainingOf(session, ctx.clock.now());
}

/** The countdown of a session already read, at `now`. */
export function timeRemainingOf(session: Pick<Session, 'id' | 'status' | 'allotted_ms' | 'remaining_ms' | 'ends_at'>, now: number): TimeRemaining {
  const t = sessionTiming(session, now);
  return { sessionId: session.id, status: session.status, remainingMs: t.remainingMs, endsAt: t.endsAt, serverNow: now };
}

function oneOf<T extends string>(field: string, value: T | T[] | undefined, allowed: readonly T[]): T[] | undefined {
  if (value === undefined) return undefined;
  const values = Array.isArray(value) ? value : [value];
  const bad = values.find((v) => !allowed.includes(v));
  if (bad === undefined && values.length > 0) return values;
  const list = allowed.join(', ');
  throw invalid('FILTER_INVALID', `Filtre invalide (${field}) : ${list}.`, `Invalid filter (${field}): ${list}.`, [
    { field, fr: `valeurs possibles : ${list}`, en: `allowed values: ${list}` },
  ]);
}

function checkPeriod(from: number | undefined, to: number | undefined): void {
  const ok = (t: number | undefined) => t === undefined || Number.isSafeInteger(t);
  if (ok(from) && ok(to) && (from === undefined || to === undefined || from < to)) return;
  throw invalid('PERIOD_INVALID', 'Période invalide : début avant fin, en millisecondes.', 'Invalid period: start before end, in epoch ms.', [
    { field: 'from', fr: 'début < fin', en: 'from < to' },
  ]);
}
