import type { DbOrTx } from '../db/schema.ts';
import { reading } from '../db/transaction.ts';
import type { DomainContext, DomainPolicy } from '../shared/domain-context.ts';
import { notFound, type DomainError } from '../shared/errors.ts';
import { localDayBounds } from '../shared/zoned-time.ts';
import { checkId, quotaReached } from './session-errors.ts';
import { findVisitorFacts, type VisitorFacts } from './session-peers-repository.ts';
import { countQuotaSessions } from './sessions-repository.ts';
import { ineligibleError, visitorIneligibility, type IneligibilityReason } from './visitor-eligibility.ts';

/** A deleted visitor is not a refusal: it reads as not found. */
export type CreateRefusal = Exclude<IneligibilityReason, 'user_deleted'> | 'daily_quota_reached';

/** The answer of the can-create-session endpoint. */
export interface CreateCheck {
  allowed: boolean;
  /** Null when allowed; otherwise the first rule that refuses. */
  reason: CreateRefusal | null;
  /** Text for the operator, null when allowed. */
  message: { fr: string; en: string } | null;
  /** Sessions counted against today's quota (see countQuotaSessions). */
  usedToday: number;
  quota: number;
}

/**
 * Whether a code may be issued for this visitor now. "Today" is the local day
 * of `policy.timeZone` (Indian/Reunion by default, UTC+4), counted by the
 * time the code was issued, not started. Throws USER_NOT_FOUND for an unknown
 * or deleted visitor.
 */
export async function canCreateSession(ctx: DomainContext, userId: number): Promise<CreateCheck> {
  checkId('userId', userId);
  return reading(async () => (await assessCreation(ctx.db, userId, ctx.clock.now(), ctx.policy)).check);
}

/** Shared by canCreateSession and createSession (inside its transaction). */
export async function assessCreation(
  db: DbOrTx,
  userId: number,
  now: number,
  policy: DomainPolicy,
): Promise<{ user: VisitorFacts; check: CreateCheck }> {
  const user = await findVisitorFacts(db, userId);
  const ineligible = user === undefined ? 'user_deleted' : visitorIneligibility(user, now, policy);
  if (user === undefined || ineligible === 'user_deleted') throw notFound('user', userId);
  const { start, end } = localDayBounds(now, policy.timeZone);
  const usedToday = await countQuotaSessions(db, userId, start, end);
  const quota = policy.dailyQuota;
  const reason: CreateRefusal | null = ineligible ?? (usedToday >= quota ? 'daily_quota_reached' : null);
  const error = reason === null ? null : refusalError(userId, reason, usedToday, policy);
  const message = error === null ? null : { fr: error.fr, en: error.en };
  return { user, check: { allowed: reason === null, reason, message, usedToday, quota } };
}

/** The error createSession throws for a refusal found by assessCreation. */
export function refusalError(userId: number, reason: CreateRefusal, usedToday: number, policy: DomainPolicy): DomainError {
  if (reason === 'daily_quota_reached') return quotaReached(userId, usedToday, policy.dailyQuota);
  return ineligibleError(reason, userId, policy);
}
