import { reading } from '../db/transaction.ts';
import { sessionForStation } from '../sessions/session-queries.ts';
import type { SessionView } from '../sessions/session-view.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { requireStation } from './stations-repository.ts';

/**
 * The session running (active or suspended) on a station, or null when the
 * station is free: what an agent asks for after a reboot or a reconnection.
 * STATION_NOT_FOUND for a station that does not exist (or was deleted).
 */
export async function activeSessionOf(ctx: DomainContext, stationId: number): Promise<SessionView | null> {
  await reading(() => requireStation(ctx.db, stationId));
  return sessionForStation(ctx, stationId);
}
