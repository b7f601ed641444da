import type { Transaction } from 'kysely';
import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import type { Database, DbOrTx } from '../db/schema.ts';
import { inTransaction, isUniqueViolation } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DomainError, notFound } from '../shared/errors.ts';
import { cryptoRandom, generateCode, type RandomSource } from './access-code.ts';
import { checkId, checkMinutes, codeGenerationFailed, stationNotBindable } from './session-errors.ts';
import { CODE_ATTEMPTS, MAX_SESSION_MINUTES } from './session-limits.ts';
import { findStationFacts } from './session-peers-repository.ts';
import { assessCreation, refusalError } from './session-quota.ts';
import { toSessionView, type SessionView } from './session-view.ts';
import { insertSession, liveCodeExists } from './sessions-repository.ts';
import type { Session } from './sessions-table.ts';

export interface CreateSessionInput {
  userId: number;
  /** Whole minutes, 1 to 720 (12 h). */
  durationMinutes: number;
  /** Restrict the code to one station; null or absent = any station. */
  boundStationId?: number | null;
}

export interface CreateSessionOptions {
  /** Randomness for the code; crypto.randomInt unless a test injects one. */
  random?: RandomSource;
}

/**
 * Issues an access code: checks the visitor (exists, consent, guardian,
 * daily quota) and the optional station binding, draws a code free among
 * live sessions, stores a pending session and its `session.code_generated`
 * event in one transaction. The code expires unused after
 * `policy.unusedCodeExpiryMs`.
 */
export async function createSession(
  ctx: DomainContext,
  input: CreateSessionInput,
  actor: Actor,
  options: CreateSessionOptions = {},
): Promise<SessionView> {
  const userId = checkId('userId', input.userId);
  const minutes = checkMinutes('durationMinutes', input.durationMinutes, MAX_SESSION_MINUTES);
  const boundStationId = input.boundStationId == null ? null : checkId('boundStationId', input.boundStationId);
  const now = ctx.clock.now();
  try {
    const session = await inTransaction(ctx.db, async (trx) => {
      const { check } = await assessCreation(trx, userId, now, ctx.policy);
      if (check.reason !== null) throw refusalError(userId, check.reason, check.usedToday, ctx.policy);
      if (boundStationId !== null) await checkBindable(trx, boundStationId);
      const code = await drawFreeCode(trx, ctx.policy.codeLength, options.random ?? cryptoRandom);
      return storeIssued(trx, ctx, { userId, code, allottedMs: minutes * 60_000, boundStationId, now }, actor);
    });
    return toSessionView(session, now);
  } catch (error) {
    // Another writer (PostgreSQL, several boxes) took the same code between our check and insert.
    if (error instanceof DomainError && error.code === 'STORAGE_FAILURE' && isUniqueViolation(error.cause)) {
      throw codeGenerationFailed(1);
    }
    throw error;
  }
}

/** A code may be bound to an approved station that exists. */
export async function checkBindable(db: DbOrTx, stationId: number): Promise<void> {
  const station = await findStationFacts(db, stationId);
  if (station === undefined) throw notFound('station', stationId);
  if (station.state === 'pending') throw stationNotBindable(stationId);
}

/** Draws until a code is free among live sessions; ended sessions may share it. */
export async function drawFreeCode(db: DbOrTx, length: number, random: RandomSource): Promise<string> {
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const code = generateCode(length, random);
    if (!(await liveCodeExists(db, code))) return code;
  }
  throw codeGenerationFailed(CODE_ATTEMPTS);
}

interface Issued {
  userId: number;
  code: string;
  allottedMs: number;
  boundStationId: number | null;
  now: number;
}

async function storeIssued(trx: Transaction<Database>, ctx: DomainContext, v: Issued, actor: Actor): Promise<Session> {
  const codeExpiresAt = v.now + ctx.policy.unusedCodeExpiryMs;
  const row = await insertSession(trx, {
    code: v.code,
    user_id: v.userId,
    bound_station_id: v.boundStationId,
    station_id: null,
    station_ip: null,
    status: 'pending',
    end_reason: null,
    allotted_ms: v.allottedMs,
    remaining_ms: v.allottedMs,
    ends_at: null,
    code_expires_at: codeExpiresAt,
    created_at: v.now,
    started_at: null,
    suspended_at: null,
    ended_at: null,
    created_by: actor.type === 'operator' ? actor.id : null,
    updated_at: v.now,
  });
  await appendAudit(trx, ctx.clock, {
    actor,
    action: 'session.code_generated',
    target: { type: 'session', id: row.id },
    metadata: { userId: v.userId, allottedMs: v.allottedMs, boundStationId: v.boundStationId, codeExpiresAt },
  });
  return row;
}
