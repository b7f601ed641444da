import { reading } from '../db/transaction.ts';
import type { Db } from '../db/schema.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { localDayBounds, localParts, zonedTimeToEpoch } from '../shared/zoned-time.ts';
import { computeStats } from '../stats/stats-service.ts';
import { AGE_OF_MAJORITY, bornOnOrBefore } from './birth-date.ts';
import { fieldIssue, validationError, type UserFieldIssue } from './user-errors.ts';
import { listUserRows, type ListConsentFilter } from './users-query.ts';

/** Counts over the visitors on file, at the clock's now. */
export interface UserCounts {
  /** Visitors not deleted, anonymised ones included. */
  total: number;
  /** Visitors whose personal data is on file (not anonymised, not deleted). */
  active: number;
  /** Anonymised (consent withdrawn, or deleted later — deleted ones are counted in `deleted` only). */
  anonymised: number;
  deleted: number;
  /** Among active visitors: where they stand with RGPD consent (see consentStatus). */
  consent: { valid: number; missing: number; guardianRequired: number };
  /** Active visitors under 18 (civil minority), by the EPN's local day. */
  minors: number;
  /** Active visitors under the policy's guardian age (15 by default); an unknown birth date counts. */
  underGuardianAge: number;
  withPhoto: number;
  /** Registered since the first day of the current local month, or today (deleted ones excluded). */
  newThisMonth: number;
  newToday: number;
}

/** One visitor's use of the stations over the period. */
export interface VisitorUsage {
  userId: number;
  /** Null once anonymised. */
  firstName: string | null;
  lastName: string | null;
  sessions: number;
  minutesUsed: number;
  lastVisitAt: number | null;
}

export interface UserPeriodStats {
  from: number;
  to: number;
  sessionsStarted: number;
  minutesUsed: number;
  distinctVisitors: number;
  /** The visitors who used the most time, at most `top` of them. */
  topVisitors: VisitorUsage[];
}

/** The visitors' statistics (seed: GET /api/utilisateurs/stats/). Times are epoch ms. */
export interface UserStatsReport {
  computedAt: number;
  timeZone: string;
  /** Start of the current local month and day, the bounds of newThisMonth and newToday. */
  monthStart: number;
  dayStart: number;
  counts: UserCounts;
  /** Present when a period was asked for. */
  period: UserPeriodStats | null;
}

export interface UserStatsOptions {
  /** Period [from, to) in epoch ms: both or neither. */
  from?: number;
  to?: number;
  /** How many visitors `topVisitors` holds (1–100, default 10). */
  top?: number;
}

export const MAX_TOP_VISITORS = 100;

function checkOptions(options: UserStatsOptions): void {
  const issues: UserFieldIssue[] = [];
  if ((options.from === undefined) !== (options.to === undefined)) {
    const missing = options.from === undefined ? 'from' : 'to';
    issues.push(fieldIssue('USER_STATS_INVALID', missing, 'Indiquez le début et la fin de la période.', 'Give both the start and the end of the period.'));
  }
  const top = options.top;
  if (top !== undefined && (!Number.isInteger(top) || top < 1 || top > MAX_TOP_VISITORS)) {
    issues.push(fieldIssue('USER_STATS_INVALID', 'top', `Entier de 1 à ${MAX_TOP_VISITORS}.`, `Integer from 1 to ${MAX_TOP_VISITORS}.`));
  }
  if (issues.length > 0) throw validationError(issues);
}

async function consentCount(db: Db, consent: ListConsentFilter, guardianCutoff: string): Promise<number> {
  // The list's own filter, so the counts always match what the list shows for the same status.
  const { total } = await listUserRows(db, { consent, includeAnonymised: false, guardianCutoff, sort: 'created_at', order: 'desc', offset: 0, limit: 0 });
  return total;
}

async function countUsers(ctx: DomainContext, now: number, bounds: { monthStart: number; dayStart: number }): Promise<UserCounts> {
  const tz = ctx.policy.timeZone;
  const minorCutoff = bornOnOrBefore(AGE_OF_MAJORITY, now, tz);
  const guardianCutoff = bornOnOrBefore(ctx.policy.guardianConsentBelowAge, now, tz);
  const row = await ctx.db
    .selectFrom('users')
    .select((eb) => {
      const kept = eb('deleted_at', 'is', null);
      const active = eb.and([kept, eb('anonymised_at', 'is', null)]);
      const count = (condition: ReturnType<typeof eb.and>) => eb.fn.sum<number | string | null>(eb.case().when(condition).then(1).else(0).end());
      return [
        count(kept).as('total'),
        count(active).as('active'),
        count(eb.and([kept, eb('anonymised_at', 'is not', null)])).as('anonymised'),
        count(eb.and([eb('deleted_at', 'is not', null)])).as('deleted'),
        count(eb.and([active, eb('birth_date', '>', minorCutoff)])).as('minors'),
        count(eb.and([active, eb.or([eb('birth_date', 'is', null), eb('birth_date', '>', guardianCutoff)])])).as('underGuardianAge'),
        count(eb.and([active, eb('photo_key', 'is not', null)])).as('withPhoto'),
        count(eb.and([kept, eb('created_at', '>=', bounds.monthStart)])).as('newThisMonth'),
        count(eb.and([kept, eb('created_at', '>=', bounds.dayStart)])).as('newToday'),
      ];
    })
    .executeTakeFirstOrThrow();
  const n = (v: number | string | null) => Number(v ?? 0);
  return {
    total: n(row.total),
    active: n(row.active),
    anonymised: n(row.anonymised),
    deleted: n(row.deleted),
    consent: {
      valid: await consentCount(ctx.db, 'valid', guardianCutoff),
      missing: await consentCount(ctx.db, 'missing', guardianCutoff),
      guardianRequired: await consentCount(ctx.db, 'guardian_required', guardianCutoff),
    },
    minors: n(row.minors),
    underGuardianAge: n(row.underGuardianAge),
    withPhoto: n(row.withPhoto),
    newThisMonth: n(row.newThisMonth),
    newToday: n(row.newToday),
  };
}

async function periodStats(ctx: DomainContext, from: number, to: number, top: number): Promise<UserPeriodStats> {
  const report = await computeStats(ctx, { from, to });
  const best = report.perUser.slice(0, top);
  const ids = best.map((u) => u.userId);
  const names = ids.length === 0 ? [] : await reading(() => ctx.db.selectFrom('users').select(['id', 'first_name', 'last_name']).where('id', 'in', ids).execute());
  const byId = new Map(names.map((r) => [r.id, r]));
  return {
    from: report.period.from,
    to: report.period.to,
    sessionsStarted: report.totals.sessionsStarted,
    minutesUsed: report.totals.minutesUsed,
    distinctVisitors: report.totals.distinctVisitors,
    topVisitors: best.map((u) => ({
      userId: u.userId,
      firstName: byId.get(u.userId)?.first_name ?? null,
      lastName: byId.get(u.userId)?.last_name ?? null,
      sessions: u.sessions,
      minutesUsed: u.minutesUsed,
      lastVisitAt: u.lastVisitAt,
    })),
  };
}

/**
 * Counts of visitors now, and, for a period, how much they used the stations
 * (from the statistics scan, api/stats) with the heaviest users by name.
 * "This month" and "today" are local to the policy's time zone.
 */
export async function userStats(ctx: DomainContext, options: UserStatsOptions = {}): Promise<UserStatsReport> {
  checkOptions(options);
  const now = ctx.clock.now();
  const tz = ctx.policy.timeZone;
  const local = localParts(now, tz);
  const monthStart = zonedTimeToEpoch({ year: local.year, month: local.month, day: 1 }, tz);
  const dayStart = localDayBounds(now, tz).start;
  const counts = await reading(() => countUsers(ctx, now, { monthStart, dayStart }));
  const period = options.from !== undefined && options.to !== undefined ? await periodStats(ctx, options.from, options.to, options.top ?? 10) : null;
  return { computedAt: now, timeZone: tz, monthStart, dayStart, counts, period };
}
