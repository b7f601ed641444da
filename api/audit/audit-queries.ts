import { sql, type SelectQueryBuilder } from 'kysely';
import { arrayRows, type RowOf } from '../db/array-rows.ts';
import { shapedCompiled } from '../db/hot-query.ts';
import type { Database, Db } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import { invalid, notFound } from '../shared/errors.ts';
import { countedTotal } from '../shared/list-totals.ts';
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

function checkPeriod(f: AuditFilter): void {
  if (f.from !== undefined && f.to !== undefined && f.from >= f.to) {
    throw invalid('AUDIT_PERIOD_INVALID', 'La période est vide (début ≥ fin).', 'The period is empty (start ≥ end).', [
      { field: 'from', fr: 'doit précéder la fin', en: 'must be before the end' },
    ]);
  }
}

function applyFilter(q: Query, f: AuditFilter): Query {
  checkPeriod(f);
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

/**
 * What decides the SQL of a page (compiled once per shape, hot-query.ts): which
 * filters are present (how many actions), the order. Values are bound per
 * call, in shapeOf's order.
 */
interface AuditShape {
  actions: number;
  actorType: boolean;
  actorId: boolean;
  targetType: boolean;
  targetId: boolean;
  from: boolean;
  to: boolean;
  text: boolean;
  dir: 'asc' | 'desc';
}

function shapeOf(f: AuditFilter, dir: 'asc' | 'desc'): { shape: AuditShape; args: unknown[] } {
  checkPeriod(f);
  const text = f.text?.trim();
  const present = { actorType: f.actorType || undefined, actorId: f.actorId, targetType: f.targetType || undefined, targetId: f.targetId, from: f.from, to: f.to };
  const args: unknown[] = [...(f.actions ?? [])];
  for (const value of Object.values(present)) if (value !== undefined) args.push(value);
  if (text) args.push(`%${escapeLike(text.toLowerCase())}%`);
  const has = (value: unknown) => value !== undefined;
  return {
    shape: {
      actions: f.actions?.length ?? 0,
      actorType: has(present.actorType), actorId: has(present.actorId), targetType: has(present.targetType), targetId: has(present.targetId),
      from: has(present.from), to: has(present.to), text: Boolean(text), dir,
    },
    args,
  };
}

/** applyFilter for a shape, taking the values from `args` in shapeOf's order. */
function shapedFilter(q: Query, shape: AuditShape, args: readonly unknown[]): Query {
  let i = shape.actions;
  const next = <T>() => args[i++] as T;
  if (shape.actions > 0) q = q.where('action', 'in', args.slice(0, shape.actions) as AuditAction[]);
  if (shape.actorType) q = q.where('actor_type', '=', next<ActorType>());
  if (shape.actorId) q = q.where('actor_id', '=', next<number>());
  if (shape.targetType) q = q.where('target_type', '=', next<TargetType>());
  if (shape.targetId) q = q.where('target_id', '=', next<number>());
  if (shape.from) q = q.where('occurred_at', '>=', next<number>());
  if (shape.to) q = q.where('occurred_at', '<', next<number>());
  if (shape.text) {
    const pattern = next<string>();
    q = q.where(sql<boolean>`(lower(metadata) like ${pattern} escape '\\' or lower(action) like ${pattern} escape '\\')`);
  }
  return q;
}

/** Every column of an event, in the order eventFromRow reads them. */
const COLUMNS = ['id', 'occurred_at', 'actor_type', 'actor_id', 'action', 'target_type', 'target_id', 'metadata', 'prev_hash', 'hash'] as const satisfies ReadonlyArray<keyof AuditEventRow>;
type EventRow = RowOf<AuditEventRow, typeof COLUMNS>;

function eventFromRow(r: EventRow): AuditEventRow {
  return { id: r[0], occurred_at: r[1], actor_type: r[2], actor_id: r[3], action: r[4], target_type: r[5], target_id: r[6], metadata: r[7], prev_hash: r[8], hash: r[9] };
}

const countQuery = shapedCompiled((db, shape: AuditShape, args) => shapedFilter(db.selectFrom('audit_events'), shape, args).select((eb) => eb.fn.countAll<number>().as('n')));

// Limit and offset are the last two values.
const pageQuery = shapedCompiled(
  (db, shape: AuditShape, args) =>
    shapedFilter(db.selectFrom('audit_events'), shape, args.slice(0, -2))
      .select(COLUMNS)
      .orderBy('id', shape.dir)
      .limit(args.at(-2) as number)
      .offset(args.at(-1) as number),
  { arrayRows: true },
);

/** One page of events, newest first unless asked otherwise. */
export async function listAuditEvents(db: Db, filter: AuditFilter = {}, request: PageRequest & { sort?: AuditSort } = {}): Promise<Page<AuditEventView>> {
  const page = clampPage(request);
  const { shape, args } = shapeOf(filter, request.sort === 'oldest' ? 'asc' : 'desc');
  const [rows, total] = await reading(() =>
    Promise.all([arrayRows<EventRow>(db, pageQuery(db, shape, [...args, page.limit, page.offset])), countedTotal(db, 'audit_events', countQuery(db, shape, args))]),
  );
  return toPage(rows.map((r) => toAuditView(eventFromRow(r))), total, page);
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
