import { appendAudit } from '../audit/audit-writer.ts';
import { systemActor } from '../audit/audit-actions.ts';
import { inTransaction } from '../db/transaction.ts';
import { DomainError } from '../shared/errors.ts';
import type { AttemptLimiter } from './attempt-limiter.ts';
import { authErrors } from './auth-errors.ts';
import { login, type AuthContext } from './auth-service.ts';

/**
 * Login with throttling per account and per address: 5 failures in a minute
 * lock that key out for a growing delay (written to the audit trail once per
 * lockout). The refusal looks the same whichever key tripped.
 */
export async function guardedLogin(
  ctx: AuthContext,
  limiter: AttemptLimiter,
  input: { username: string; password: string; ip: string | null; userAgent?: string | null },
): ReturnType<typeof login> {
  const keys = [`login-user:${input.username.trim().toLowerCase()}`, `login-ip:${input.ip ?? '-'}`];
  for (const key of keys) {
    const verdict = limiter.check(key);
    if (!verdict.allowed) throw authErrors.throttled(verdict.retryAfterMs);
  }
  try {
    const result = await login(ctx, input);
    keys.forEach((k) => limiter.succeed(k));
    return result;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'AUTH_INVALID_CREDENTIALS') {
      for (const key of keys) {
        const lock = limiter.fail(key);
        if (lock) {
          await inTransaction(ctx.db, (trx) =>
            appendAudit(trx, ctx.clock, {
              actor: systemActor,
              action: 'auth.login_failed',
              metadata: { reason: 'locked_out', key: key.split(':')[0], lockedOutSeconds: lock.lockedOutForMs / 1000, ip: input.ip },
            }),
          );
        }
      }
    }
    throw error;
  }
}
