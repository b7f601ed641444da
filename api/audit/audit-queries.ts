import { sql, type SelectQueryBuilder } from 'kysely';
import type { Database, Db } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import { invalid, notFound } from '../shared/errors.ts';
import { clampPage, toPage, type Page, type PageRequest } from '../shared/pagination.ts';
import { localDate } from '../shared/zoned-time.ts';
import type { ActorType, AuditAction, TargetType } from './audit-actions.ts';
import type { AuditEventRow } from './audit-table.ts';
import { toAuditView, type AuditEventView } from './audit-view.ts';

/** Actions an admin looks at when something went wrong (the seed's "errors"). */
export const ERROR_ACTIONS: readonly AuditAction[] = [
  'system.error',
  'auth.login_failed',
  'auth.token_reuse_detected',
  'session.code_rejected',
  'station.locked_out',
  'station.went_offline',
];

export interface AuditFilter {
  actions?: AuditAction[];
  actorType?: ActorType;
  actorId?: number;
  targetType?: TargetType;
  targetId?: number;
  /** Inclusive start, epoch ms. */
  from?: number;
  /** Exclusive end, epoch ms. */
  to?: number;
  /** Free text, matched in the action name and the metadata. */
  text?: string;
}

export type AuditSort = 'newest' | 'oldest';

type Query = SelectQueryBuilder<Database, 'audit_events', object>;

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function applyFilter(q: Query, f: AuditFilter): Query {
  if (f.from !== undefined && f.to !== undefined && f.from >= f.to) {
    throw invalid('AUDIT_PERIOD_INVALID', 'La période est vide (début ≥ fin).', 'The period is empty (start ≥ end).', [
      { field: 'from', fr: 'doit précéder la fin', en: 'must be before the end' },
    ]);
  }
  if (f.actions?.length) q = q.where('action', 'in', f.actions);
  if (f.actorType) q = q.where('actor_type', '=', f.actorType);
  if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId);
  if (f.targetType) q = q.where('target_type', '=', f.targetType);
  if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId);
  if (f.from !== undefined) q = q.where('occurred_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('occurred_at', '<', f.to);
  const text = f.text?.trim();
  if (text) {
    const pattern = `%${escapeLike(text.toLowerCase())}%`;
    // ESCAPE is spelled out: SQLite has no default LIKE escape character, PostgreSQL's is the backslash.
    q = q.where(sql<boolean>`(lower(metadata) like ${pattern} escape '\\' or lower(action) like ${pattern} escape '\\')`);
  }
  return q;
}

/** One page of events, newest first unless asked otherwise. */
export async function listAuditEvents(db: Db, filter: AuditFilter = {}, request: PageRequest & { sort?: AuditSort } = {}): Promise<Page<AuditEventView>> {
  const page = clampPage(request);
  const base = applyFilter(db.selectFrom('audit_events'), filter);
  const dir = request.sort === 'oldest' ? 'asc' : 'desc';
  const [rows, count] = await reading(() =>
    Promise.all([
      base.selectAll().orderBy('id', dir).limit(page.limit).offset(page.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]),
  );
  return toPage(rows.map(toAuditView), Number(count.n), page);
}

export async function getAuditEvent(db: Db, id: number): Promise<AuditEventView> {
  const row = await reading(() => db.selectFrom('audit_events').selectAll().where('id', '=', id).executeTakeFirst());
  if (!row) throw notFound('audit_event', id);
  return toAuditView(row);
}

export async function recentAuditEvents(db: Db, limit = 50): Promise<AuditEventView[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw invalid('AUDIT_LIMIT_INVALID', 'Nombre d’événements invalide (1 à 500).', 'Invalid number of events (1 to 500).', [
      { field: 'limit', fr: '1 à 500', en: '1 to 500' },
    ]);
  }
  const rows = await reading(() => db.selectFrom('audit_events').selectAll().orderBy('id', 'desc').limit(limit).execute());
  return rows.map(toAuditView);
}

export interface AuditStats {
  total: number;
  byAction: Record<string, number>;
  byActorType: Record<string, number>;
  /** Local calendar day (configured zone) -> events. */
  byDay: Record<string, number>;
  errors: number;
}

/**
 * Counts over a period. Grouping by action and actor is done in SQL; days are
 * bucketed here, in the configured zone, to keep the SQL portable.
 */
export async function auditStats(db: Db, filter: AuditFilter, timeZone: string): Promise<AuditStats> {
  const base = applyFilter(db.selectFrom('audit_events'), filter);
  const [byAction, byActor] = await reading(() =>
    Promise.all([
      base.select(['action', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('action').execute(),
      base.select(['actor_type', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('actor_type').execute(),
    ]),
  );
  const byDay: Record<string, number> = {};
  for await (const row of streamAuditRows(db, filter)) {
    const day = localDate(Number(row.occurred_at), timeZone);
    byDay[day] = (byDay[day] ?? 0) + 1;
  }
  const actionCounts = Object.fromEntries(byAction.map((r) => [r.action, Number(r.n)]));
  return {
    total: byAction.reduce((sum, r) => sum + Number(r.n), 0),
    byAction: actionCounts,
    byActorType: Object.fromEntries(byActor.map((r) => [r.actor_type, Number(r.n)])),
    byDay,
    errors: ERROR_ACTIONS.reduce((sum, a) => sum + (actionCounts[a] ?? 0), 0),
  };
}

/** Rows in id order, fetched in pages so an export of a year stays flat in memory. */
export async function* streamAuditRows(db: Db, filter: AuditFilter, pageSize = 2000): AsyncGenerator<AuditEventRow> {
  let afterId = 0;
  for (;;) {
    const rows = await reading(() =>
      applyFilter(db.selectFrom('audit_events'), filter).selectAll().where('id', '>', afterId).orderBy('id').limit(pageSize).execute(),
    );
    yield* rows;
    if (rows.length < pageSize) return;
    afterId = rows[rows.length - 1]!.id;
  }
}
