import { markSilentStationsOffline } from '../stations/station-heartbeat.ts';
import type { JobDeps } from './job-types.ts';

export interface SilentStationsResult {
  stationsOffline: number;
  stationIds: number[];
}

/**
 * Safety sweep behind the live connections: a station not heard from for
 * longer than the heartbeat timeout goes offline (one station.went_offline
 * event each). Maintenance and pending stations are left alone.
 */
export async function silentStationsJob({ ctx, now }: Pick<JobDeps, 'ctx' | 'now'>): Promise<SilentStationsResult> {
  const ids = await markSilentStationsOffline(ctx, now);
  return { stationsOffline: ids.length, stationIds: ids };
}
