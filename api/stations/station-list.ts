import { sql, type SelectQueryBuilder, type SqlBool } from 'kysely';
import { arrayRows, type RowOf } from '../db/array-rows.ts';
import { directReadOf } from '../db/direct-read.ts';
import { shapedCompiled } from '../db/hot-query.ts';
import type { Database, DbOrTx } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { invalid } from '../shared/errors.ts';
import { countedTotal } from '../shared/list-totals.ts';
import { clampPage, toPage, type Page, type PageRequest } from '../shared/pagination.ts';
import { toStationView, type LiveSessionRef, type StationView } from './station-view.ts';
import { RUNNING_STATUSES, liveSessionsQuery, toLiveRef, type LiveRow } from './stations-repository.ts';
import { STATION_STATES, type Station, type StationState } from './stations-table.ts';

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

type StationsQuery = SelectQueryBuilder<Database, 'stations', object>;

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

/** Name, IP, and MAC typed with dashes, dots or no separator at all: the three LIKE patterns. */
function textPatterns(q: string): [string, string, string] {
  const lower = q.toLowerCase();
  let macText = lower.replace(/[-.]/g, ':');
  if (/^[0-9a-f]{4,12}$/.test(lower) && lower.length % 2 === 0) macText = lower.match(/../g)!.join(':');
  return [likePattern(lower), likePattern(macText), likePattern(lower)];
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

/**
 * What decides the SQL of a list (compiled once per shape, hot-query.ts): the
 * number of states filtered on (null: no filter), the online filter, whether
 * there is text, the sort. Values are bound per call, in shapeOf's order.
 */
interface StationsShape {
  states: number | null;
  online: boolean | null;
  text: boolean;
  sort: StationSort;
  order: 'asc' | 'desc';
}

function shapeOf(filters: Filters, cutoff: number, sort: StationSort, order: 'asc' | 'desc'): { shape: StationsShape; args: unknown[] } {
  const args: unknown[] = [...(filters.states ?? [])];
  if (filters.online !== undefined) args.push(cutoff);
  if (filters.q.length > 0) args.push(...textPatterns(filters.q));
  return { shape: { states: filters.states?.length ?? null, online: filters.online ?? null, text: filters.q.length > 0, sort, order }, args };
}

/** The list's stations before paging; takes the filter values from `args` in shapeOf's order. */
function filtered(db: DbOrTx, shape: StationsShape, args: readonly unknown[]): StationsQuery {
  let i = 0;
  const next = () => args[i++];
  let q: StationsQuery = db.selectFrom('stations').where('deleted_at', 'is', null);
  if (shape.states === 0) q = q.where(sql<SqlBool>`1 = 0`);
  if (shape.states !== null && shape.states > 0) q = q.where('state', 'in', args.slice(0, (i = shape.states)) as StationState[]);
  if (shape.online !== null) {
    const cutoff = next() as number;
    q = shape.online ? q.where('last_heartbeat_at', '>=', cutoff) : q.where((eb) => eb.or([eb('last_heartbeat_at', 'is', null), eb('last_heartbeat_at', '<', cutoff)]));
  }
  if (shape.text) {
    const [name, mac, ip] = [next(), next(), next()];
    q = q.where(sql<SqlBool>`(lower(name) like ${name} escape '\\' or mac like ${mac} escape '\\' or ip like ${ip} escape '\\')`);
  }
  return q;
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

/** The columns of a listed station, in the order stationFromRow reads them. */
const COLUMNS = ['id', 'name', 'mac', 'ip', 'state', 'state_reason', 'last_heartbeat_at', 'agent_version', 'deleted_at', 'created_at', 'updated_at'] as const satisfies ReadonlyArray<keyof Station>;
type StationRow = RowOf<Station, typeof COLUMNS>;

function stationFromRow(r: StationRow): Station {
  return { id: r[0], name: r[1], mac: r[2], ip: r[3], state: r[4], state_reason: r[5], last_heartbeat_at: r[6], agent_version: r[7], deleted_at: r[8], created_at: r[9], updated_at: r[10] };
}

const countQuery = shapedCompiled((db, shape: StationsShape, args) => filtered(db, shape, args).select((eb) => eb.fn.countAll<number>().as('n')));

// Limit and offset are the last two values.
const pageQuery = shapedCompiled(
  (db, shape: StationsShape, args) => {
    let q = filtered(db, shape, args.slice(0, -2)).select(COLUMNS);
    for (const expression of sortExpressions(shape.sort)) q = q.orderBy(expression, shape.order);
    return q.orderBy('id', shape.order).limit(args.at(-2) as number).offset(args.at(-1) as number);
  },
  { arrayRows: true },
);

// The running sessions of a page's stations, one statement per page size.
const runningOnQuery = shapedCompiled((db, _count: number, ids) => liveSessionsQuery(db).where('station_id', 'in', ids as number[]));

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
  const { shape, args } = shapeOf(filters, cutoff, sort, order);
  return reading(async () => {
    // A total filtered on "online" depends on the time: counted each time, the others remembered (list-totals.ts).
    const count = countQuery(ctx.db, shape, args);
    const total = shape.online === null ? await countedTotal(ctx.db, 'stations', count) : Number((await ctx.db.executeQuery(count)).rows[0]?.n ?? 0);
    const stations = (await arrayRows<StationRow>(ctx.db, pageQuery(ctx.db, shape, [...args, page.limit, page.offset]))).map(stationFromRow);
    const live = new Map<number, LiveSessionRef>();
    if (stations.length > 0) {
      const query = runningOnQuery(ctx.db, stations.length, stations.map((s) => s.id));
      // On the connection at once when no transaction is open there (direct-read.ts), else through the executor.
      const running = (directReadOf(ctx.db)?.(query) ?? (await ctx.db.executeQuery(query)).rows) as LiveRow[];
      for (const row of running) live.set(row.station_id!, toLiveRef(row, now));
    }
    return toPage(stations.map((s) => toStationView(s, now, ctx.policy, live.get(s.id) ?? null)), total, page);
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
