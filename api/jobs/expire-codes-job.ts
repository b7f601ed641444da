import { expireDueSessions, expireUnusedCodes } from '../sessions/sessions-service.ts';
import type { JobDeps } from './job-types.ts';

export interface ExpireCodesResult {
  /** Unused codes past their expiry, ended as code_expired. */
  codesExpired: number;
  /** Active sessions past their deadline that no timer had ended yet. */
  sessionsExpired: number;
}

/**
 * Ends unused codes past their expiry (the seed's cleanup_expired_sessions),
 * and, as a safety net behind the per-session deadline timers, any active
 * session already past its deadline. Both date the end at the true expiry
 * instant, however late the sweep runs.
 */
export async function expireCodesJob({ ctx, now }: Pick<JobDeps, 'ctx' | 'now'>): Promise<ExpireCodesResult> {
  const codes = await expireUnusedCodes(ctx, now);
  const sessions = await expireDueSessions(ctx, now);
  return { codesExpired: codes.length, sessionsExpired: sessions.length };
}
