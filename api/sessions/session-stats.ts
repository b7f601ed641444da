import type { DomainContext } from '../shared/domain-context.ts';
import { localDayBounds } from '../shared/zoned-time.ts';
import { computeStats, type StatsReport } from '../stats/stats-service.ts';

/** The statistics report without its per-visitor part (that one belongs to the visitors' own stats). */
export type SessionStats = Omit<StatsReport, 'perUser'>;

/**
 * Session statistics over [from, to); either bound missing defaults to the
 * current local day of the EPN's time zone (what the front desk asks first:
 * "how did today go?").
 */
export async function sessionStats(ctx: DomainContext, period: { from?: number; to?: number } = {}): Promise<SessionStats> {
  const today = localDayBounds(ctx.clock.now(), ctx.policy.timeZone);
  const report = await computeStats(ctx, { from: period.from ?? today.start, to: period.to ?? today.end });
  const { perUser: _perUser, ...rest } = report;
  return rest;
}
