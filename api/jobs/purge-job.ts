import { getSettings } from '../settings/settings-service.ts';
import { settingsDefaultsFrom } from '../settings/settings-policy.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { purgeAuthRecords, type AuthRecordsPurge } from './purge-auth-records.ts';
import { purgeConnectionRecords, type ConnectionRecordsPurge } from './purge-connection-records.ts';
import { purgeReports, type ReportsPurge } from './purge-reports.ts';
import { purgeStationReplays, type StationReplaysPurge } from '../realtime/purge-station-replays.ts';
import type { JobDeps } from './job-types.ts';

export interface PurgeResult {
  connectionRecords: ConnectionRecordsPurge;
  authRecords: AuthRecordsPurge;
  reports: ReportsPurge;
  stationReplays: StationReplaysPurge;
}

/**
 * The connection-record retention in force: the admin's runtime setting when
 * one is stored, else the configuration file's value.
 */
export async function connectionRecordsRetentionDays(ctx: Pick<DomainContext, 'db' | 'policy'>, configured: number): Promise<number> {
  const settings = await getSettings(ctx, { ...settingsDefaultsFrom(ctx.policy), 'retention.connectionRecordsDays': configured });
  return settings['retention.connectionRecordsDays'];
}

/**
 * Daily purge (the seed's cleanup_old_sessions and cleanup_old_logs, minus
 * the audit trail, which is archived, never purged), plus the offline replay
 * ids stations no longer resend. Each dataset in its own
 * transaction with its own data.purged event: a failure stops the run, and
 * what was purged before it stays purged and audited.
 */
export async function purgeJob({ ctx, now, actor, retention }: Pick<JobDeps, 'ctx' | 'now' | 'actor' | 'retention'>): Promise<PurgeResult> {
  const days = await connectionRecordsRetentionDays(ctx, retention.connectionRecordsDays);
  const connectionRecords = await purgeConnectionRecords(ctx, actor, now, days);
  const authRecords = await purgeAuthRecords(ctx, actor, now, retention.authRecordsDays);
  const reports = await purgeReports(ctx, actor, now, retention.reportsDays);
  const stationReplays = await purgeStationReplays(ctx, actor, now);
  return { connectionRecords, authRecords, reports, stationReplays };
}
