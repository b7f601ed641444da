import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { invalid } from '../shared/errors.ts';
import { clampPage, toPage, type Page, type PageRequest } from '../shared/pagination.ts';
import { toStationView, type StationView } from './station-view.ts';
import { RUNNING_STATUSES, liveSessionsFor } from './stations-repository.ts';
import { STATION_STATES, type StationState } from './stations-table.ts';

export const STATION_SORTS = ['name', 'state', 'lastHeartbeat', 'createdAt'] as const;
export type StationSort = (typeof STATION_SORTS)[number];

export interface StationListQuery extends PageRequest {
  /** One state or several; absent means all. */
  state?: StationState | StationState[];
  /** Filter on the derived online flag; absent means both. */
  online?: boolean;
  /** Free text matched in name, MAC (any notation) and IP. */
  q?: string;
  /** Default name. */
  sort?: StationSort;
  /** Default asc. */
  order?: 'asc' | 'desc';
}

type Eb = ExpressionBuilder<Database, 'stations'>;

function checkedStates(state: StationListQuery['state']): StationState[] | null {
  if (state === undefined) return null;
  const states = Array.isArray(state) ? state : [state];
  const bad = states.find((s) => !(STATION_STATES as readonly string[]).includes(s));
  if (bad !== undefined) {
    throw invalid('STATION_STATE_FILTER_INVALID', `État inconnu « ${bad} » (${STATION_STATES.join(', ')}).`, `Unknown state "${bad}" (${STATION_STATES.join(', ')}).`, [
      { field: 'state', fr: STATION_STATES.join(', '), en: STATION_STATES.join(', ') },
    ]);
  }
  return states;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Name, IP, and MAC typed with dashes, dots or no separator at all. */
function textCondition(q: string): Expression<SqlBool> {
  const lower = q.toLowerCase();
  let macText = lower.replace(/[-.]/g, ':');
  if (/^[0-9a-f]{4,12}$/.test(lower) && lower.length % 2 === 0) macText = lower.match(/../g)!.join(':');
  return sql<SqlBool>`(lower(name) like ${likePattern(lower)} escape '\\' or mac like ${likePattern(macText)} escape '\\' or ip like ${likePattern(lower)} escape '\\')`;
}

interface Filters {
  states: StationState[] | null;
  online: boolean | undefined;
  q: string;
}

function checkedFilters(query: StationListQuery): Filters {
  const q = (query.q ?? '').trim();
  if (q.length > 100) throw invalid('STATION_QUERY_TOO_LONG', 'Recherche trop longue (100 caractères au plus).', 'Search text too long (at most 100 characters).');
  return { states: checkedStates(query.state), online: query.online, q };
}

function conditions(eb: Eb, filters: Filters, cutoff: number): Expression<SqlBool> {
  const all: Expression<SqlBool>[] = [eb('deleted_at', 'is', null)];
  if (filters.states !== null) all.push(filters.states.length === 0 ? sql<SqlBool>`1 = 0` : eb('state', 'in', filters.states));
  if (filters.online === true) all.push(eb('last_heartbeat_at', '>=', cutoff));
  if (filters.online === false) all.push(eb.or([eb('last_heartbeat_at', 'is', null), eb('last_heartbeat_at', '<', cutoff)]));
  if (filters.q.length > 0) all.push(textCondition(filters.q));
  return eb.and(all);
}

function sortExpressions(sort: StationSort) {
  switch (sort) {
    case 'state':
      return [sql`state`, sql`lower(name)`];
    case 'lastHeartbeat':
      return [sql`coalesce(last_heartbeat_at, 0)`];
    case 'createdAt':
      return [sql`created_at`];
    default:
      return [sql`lower(name)`];
  }
}

function checkedSort(query: StationListQuery): { sort: StationSort; order: 'asc' | 'desc' } {
  const sort = query.sort ?? 'name';
  const order = query.order ?? 'asc';
  if (!(STATION_SORTS as readonly string[]).includes(sort) || (order !== 'asc' && order !== 'desc')) {
    throw invalid('STATION_SORT_INVALID', `Tri inconnu (${STATION_SORTS.join(', ')} ; asc ou desc).`, `Unknown sort (${STATION_SORTS.join(', ')}; asc or desc).`, [
      { field: 'sort', fr: STATION_SORTS.join(', '), en: STATION_SORTS.join(', ') },
    ]);
  }
  return { sort, order };
}

/** The panel's station grid: filtered, sorted, one page, each with its running session. */
export async function listStations(ctx: DomainContext, query: StationListQuery = {}): Promise<Page<StationView>> {
  const page = clampPage(query);
  const { sort, order } = checkedSort(query);
  const now = ctx.clock.now();
  const filters = checkedFilters(query);
  const cutoff = now - ctx.policy.heartbeatTimeoutMs;
  const where = (eb: Eb) => conditions(eb, filters, cutoff);
  return reading(async () => {
    const { total } = await ctx.db.selectFrom('stations').select((eb) => eb.fn.countAll<number>().as('total')).where(where).executeTakeFirstOrThrow();
    let rows = ctx.db.selectFrom('stations').selectAll().where(where);
    for (const expression of sortExpressions(sort)) rows = rows.orderBy(expression, order);
    const stations = await rows.orderBy('id', order).limit(page.limit).offset(page.offset).execute();
    const live = await liveSessionsFor(ctx.db, stations.map((s) => s.id), now);
    return toPage(stations.map((s) => toStationView(s, now, ctx.policy, live.get(s.id) ?? null)), Number(total), page);
  });
}

/**
 * Stations a visitor can sit at now: state available, heard from within the
 * heartbeat timeout, no session running. Sorted by name.
 */
export async function availableStations(ctx: DomainContext): Promise<StationView[]> {
  const now = ctx.clock.now();
  const rows = await reading(() =>
    ctx.db
      .selectFrom('stations')
      .selectAll()
      .where('deleted_at', 'is', null)
      .where('state', '=', 'available')
      .where('last_heartbeat_at', '>=', now - ctx.policy.heartbeatTimeoutMs)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('sessions').select('sessions.id').whereRef('sessions.station_id', '=', 'stations.id').where('sessions.status', 'in', RUNNING_STATUSES))),
      )
      .orderBy(sql`lower(name)`)
      .orderBy('id')
      .execute(),
  );
  return rows.map((s) => toStationView(s, now, ctx.policy, null));
}
