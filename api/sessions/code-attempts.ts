import { operatorActor, systemActor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { AttemptLimiter, type LimiterOptions } from '../auth/attempt-limiter.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Clock } from '../shared/clock.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DomainError, invalid } from '../shared/errors.ts';
import { validateCode } from './code-check.ts';
import type { SessionView } from './session-view.ts';
import { startSession } from './start-session.ts';

/**
 * 5 wrong codes within a minute lock the station out for 30 s, then 1 min,
 * 2 min… up to 15 min. With 31^8 codes and a few hundred live ones, that
 * leaves a guesser at a station no useful rate, while a visitor who mistypes
 * a ticket twice loses nothing.
 */
export const CODE_LIMITS: LimiterOptions = { maxFailures: 5, windowMs: 60_000, baseLockoutMs: 30_000, maxLockoutMs: 15 * 60_000 };

export function createCodeLimiter(clock: Clock, options: LimiterOptions = CODE_LIMITS): AttemptLimiter {
  return new AttemptLimiter(clock, options);
}

export function stationLockedOut(stationId: number, retryAfterMs: number): DomainError {
  const seconds = Math.ceil(retryAfterMs / 1000);
  return new DomainError(
    'STATION_LOCKED_OUT',
    'throttled',
    {
      fr: `Trop de codes erronés sur ce poste : réessayez dans ${seconds} s ou adressez-vous à l'accueil.`,
      en: `Too many wrong codes on this station: try again in ${seconds} s or ask the front desk.`,
    },
    { details: { stationId, retryAfterSeconds: seconds } },
  );
}

/** The one `station.locked_out` event of a lockout, in its own transaction. */
export async function recordStationLockout(ctx: DomainContext, stationId: number, lockedOutMs: number): Promise<void> {
  await inTransaction(ctx.db, (trx) =>
    appendAudit(trx, ctx.clock, {
      actor: systemActor,
      action: 'station.locked_out',
      target: { type: 'station', id: stationId },
      metadata: { stationId, lockedOutSeconds: lockedOutMs / 1000 },
    }),
  );
}

/**
 * Runs a code check or start typed on a station under the per-station limit:
 * a locked-out station is refused before anything is read; each
 * CODE_REJECTED counts as a wrong code (malformed entries say nothing about
 * codes and do not count); the failure that trips a lockout writes one audit
 * event; a good code clears the count.
 */
export async function guardCodeAttempt<T>(ctx: DomainContext, limiter: AttemptLimiter, stationId: number, attempt: () => Promise<T>): Promise<T> {
  const key = `code-station:${stationId}`;
  const verdict = limiter.check(key);
  if (!verdict.allowed) throw stationLockedOut(stationId, verdict.retryAfterMs);
  try {
    const result = await attempt();
    limiter.succeed(key);
    return result;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'CODE_REJECTED') {
      const lock = limiter.fail(key);
      if (lock !== null) await recordStationLockout(ctx, stationId, lock.lockedOutForMs);
    }
    throw error;
  }
}

/** Who typed or checks a code: a station for itself, or an operator for a station it names. */
export type CodeCaller = { kind: 'station'; stationId: number } | { kind: 'operator'; operatorId: number };

/**
 * Validates a code for the calling station, under its attempt limit; an
 * operator (who sees every code in the panel anyway, so guessing is moot)
 * names the station and is not limited. A station naming another station is
 * refused.
 */
export async function validateCodeFor(
  ctx: DomainContext,
  limiter: AttemptLimiter,
  caller: CodeCaller,
  input: { code: unknown; stationId?: number | undefined },
): Promise<SessionView> {
  if (caller.kind === 'operator') {
    if (input.stationId === undefined) throw stationRequired();
    return validateCode(ctx, input.code, input.stationId, operatorActor(caller.operatorId));
  }
  if (input.stationId !== undefined && input.stationId !== caller.stationId) throw otherStation(caller.stationId);
  return guardCodeAttempt(ctx, limiter, caller.stationId, () => validateCode(ctx, input.code, caller.stationId));
}

/** A visitor typed a code on this station: start it there, under the station's attempt limit. */
export function startTypedCode(ctx: DomainContext, limiter: AttemptLimiter, stationId: number, code: unknown): Promise<SessionView> {
  return guardCodeAttempt(ctx, limiter, stationId, () => startSession(ctx, code, stationId));
}

function stationRequired(): DomainError {
  return invalid('STATION_REQUIRED', 'Indiquez le poste pour lequel vérifier le code.', 'Name the station to check the code for.', [
    { field: 'stationId', fr: 'obligatoire pour un opérateur', en: 'required for an operator' },
  ]);
}

function otherStation(stationId: number): DomainError {
  return new DomainError(
    'STATION_MISMATCH',
    'forbidden',
    { fr: 'Un poste ne peut vérifier un code que pour lui-même.', en: 'A station may only check a code for itself.' },
    { details: { stationId } },
  );
}
