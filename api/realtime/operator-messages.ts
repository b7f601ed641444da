import { toAuditView } from '../audit/audit-view.ts';
import { epochToIso } from '../contract/common.ts';
import { sessionToWire } from '../contract/session.ts';
import { stationToWire } from '../contract/station.ts';
import type { ServerToOperator } from '../contract/ws-operator.ts';
import { reading } from '../db/transaction.ts';
import { toSessionView } from '../sessions/sessions-service.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { MAX_PAGE_SIZE } from '../shared/pagination.ts';
import { listStations } from '../stations/station-list.ts';
import type { StationView } from '../stations/station-view.ts';
import { countPendingCodes, runningSessions } from './operator-room-queries.ts';
import type { FeedBatch } from './realtime-feed.ts';

export type SnapshotMessage = Extract<ServerToOperator, { type: 'snapshot' }>;

/** Every station not deleted, page by page (the list caps a page at MAX_PAGE_SIZE). */
async function allStations(ctx: DomainContext): Promise<StationView[]> {
  const all: StationView[] = [];
  for (let page = 1; ; page += 1) {
    const result = await listStations(ctx, { page, pageSize: MAX_PAGE_SIZE });
    all.push(...result.items);
    if (all.length >= result.total || result.items.length === 0) return all;
  }
}

/**
 * The room as it is now: stations with state, online flag and running
 * session (time left), the running sessions, how many unused codes wait
 * (listed page by page over REST), which agents are connected, and the id of
 * the last audit event, after which audit_event deltas follow.
 */
export async function loadSnapshot(ctx: DomainContext, connectedStationIds: number[]): Promise<SnapshotMessage> {
  const stations = await allStations(ctx);
  const now = ctx.clock.now();
  const sessions = (await reading(() => runningSessions(ctx.db))).map((row) => toSessionView(row, now));
  const pendingCodes = await reading(() => countPendingCodes(ctx.db));
  const last = await reading(() => ctx.db.selectFrom('audit_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst());
  return {
    v: 1,
    type: 'snapshot',
    serverTime: epochToIso(now)!,
    stations: stations.map(stationToWire),
    sessions: sessions.map(sessionToWire),
    pendingCodes,
    connectedStationIds: [...connectedStationIds].sort((a, b) => a - b),
    lastEventId: last?.id === null || last?.id === undefined ? null : Number(last.id),
  };
}

/** The deltas one committed batch means for the panel: its audit events, then the sessions and stations they changed. */
export function batchDeltas(batch: FeedBatch): ServerToOperator[] {
  const serverTime = epochToIso(batch.now)!;
  const out: ServerToOperator[] = batch.events.map((row) => ({ v: 1, type: 'audit_event', event: toAuditView(row) }));
  for (const row of batch.sessions.values()) {
    if (row) out.push({ v: 1, type: 'session', session: sessionToWire(toSessionView(row, batch.now)), serverTime });
  }
  for (const [stationId, view] of batch.stations) {
    out.push(view === null ? { v: 1, type: 'station_removed', stationId, serverTime } : { v: 1, type: 'station', station: stationToWire(view), serverTime });
  }
  return out;
}
