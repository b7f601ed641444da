import { appendAudit } from '../audit/audit-writer.ts';
import { operatorActor, systemActor } from '../audit/audit-actions.ts';
import { hotQuery } from '../db/hot-query.ts';
import type { DbOrTx } from '../db/schema.ts';
import { inTransaction, reading } from '../db/transaction.ts';
import { hashPassword, verifyPassword } from '../operators/passwords.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { authErrors } from './auth-errors.ts';
import type { Principal } from './principal.ts';
import type { StationTokenCache } from './station-token-cache.ts';
import { randomToken, sha256Hex, signAccessToken, verifyAccessToken, type AccessTokenMemo } from './tokens.ts';

export interface AuthPolicy {
  /** HMAC key for access and CSRF tokens; kept in the data directory. */
  tokenKey: Buffer;
  accessTtlMs: number;
  refreshTtlMs: number;
  /** A login ends after this, refreshed or not (a working day). */
  sessionMaxMs: number;
}

export const defaultAuthTimes = { accessTtlMs: 15 * 60_000, refreshTtlMs: 12 * 3600_000, sessionMaxMs: 12 * 3600_000 };

export type AuthContext = Pick<DomainContext, 'db' | 'clock'> & { auth: AuthPolicy };

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  sessionId: string;
}

// Verifying against a fixed hash when the account does not exist keeps the
// response time the same, so timing does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;

export async function login(ctx: AuthContext, input: { username: string; password: string; ip?: string | null; userAgent?: string | null }): Promise<TokenPair & { operatorId: number; mustChangePassword: boolean }> {
  const username = input.username.trim().toLowerCase();
  const op = await reading(() => ctx.db.selectFrom('operators').selectAll().where('username', '=', username).executeTakeFirst());
  let ok = false;
  if (op) ok = await verifyPassword(op.password_hash, input.password);
  else await verifyPassword(await (dummyHash ??= hashPassword('not-a-password-of-anyone')), input.password);
  if (!op || !ok || op.active !== 1) {
    await inTransaction(ctx.db, (trx) =>
      appendAudit(trx, ctx.clock, {
        actor: systemActor,
        action: 'auth.login_failed',
        target: op ? { type: 'operator', id: op.id } : undefined,
        metadata: { reason: !op ? 'unknown_user' : op.active !== 1 ? 'inactive' : 'wrong_password', ip: input.ip ?? null },
      }),
    );
    throw authErrors.badCredentials();
  }
  const now = ctx.clock.now();
  const sessionId = randomToken(24);
  const refreshToken = randomToken();
  await inTransaction(ctx.db, async (trx) => {
    await trx
      .insertInto('auth_sessions')
      .values({
        id: sessionId,
        operator_id: op.id,
        created_at: now,
        expires_at: now + ctx.auth.sessionMaxMs,
        last_seen_at: now,
        revoked_at: null,
        revoked_reason: null,
        ip: input.ip ?? null,
        user_agent: input.userAgent?.slice(0, 256) ?? null,
      })
      .execute();
    await trx
      .insertInto('refresh_tokens')
      .values({ token_hash: sha256Hex(refreshToken), session_id: sessionId, issued_at: now, expires_at: Math.min(now + ctx.auth.refreshTtlMs, now + ctx.auth.sessionMaxMs), used_at: null })
      .execute();
    await trx.updateTable('operators').set({ last_login_at: now }).where('id', '=', op.id).execute();
    await appendAudit(trx, ctx.clock, { actor: operatorActor(op.id), action: 'auth.login', target: { type: 'operator', id: op.id }, metadata: { ip: input.ip ?? null } });
  });
  return { ...issueAccess(ctx, sessionId, now), refreshToken, operatorId: op.id, mustChangePassword: op.must_change_password === 1 };
}

function issueAccess(ctx: AuthContext, sessionId: string, now: number): Omit<TokenPair, 'refreshToken'> {
  const exp = now + ctx.auth.accessTtlMs;
  return { accessToken: signAccessToken(ctx.auth.tokenKey, { sid: sessionId, exp }), expiresIn: Math.floor(ctx.auth.accessTtlMs / 1000), sessionId };
}

/**
 * Exchanges a refresh token for a new pair (rotation). Presenting a token that
 * was already exchanged means two parties hold it: the whole login is revoked.
 */
export async function refresh(ctx: AuthContext, refreshToken: string): Promise<TokenPair> {
  const now = ctx.clock.now();
  const next = randomToken();
  const outcome = await inTransaction(ctx.db, async (trx) => {
    const row = await trx
      .selectFrom('refresh_tokens')
      .innerJoin('auth_sessions', 'auth_sessions.id', 'refresh_tokens.session_id')
      .select(['refresh_tokens.token_hash', 'refresh_tokens.used_at', 'refresh_tokens.expires_at', 'auth_sessions.id as sid', 'auth_sessions.revoked_at', 'auth_sessions.expires_at as session_expires_at', 'auth_sessions.operator_id'])
      .where('refresh_tokens.token_hash', '=', sha256Hex(refreshToken))
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || row.session_expires_at <= now || row.expires_at <= now) return 'invalid' as const;
    if (row.used_at !== null) {
      await trx.updateTable('auth_sessions').set({ revoked_at: now, revoked_reason: 'refresh_reuse' }).where('id', '=', row.sid).execute();
      await appendAudit(trx, ctx.clock, { actor: systemActor, action: 'auth.token_reuse_detected', target: { type: 'operator', id: row.operator_id }, metadata: { session: row.sid.slice(0, 8) } });
      return 'reused' as const;
    }
    await trx.updateTable('refresh_tokens').set({ used_at: now }).where('token_hash', '=', row.token_hash).execute();
    await trx
      .insertInto('refresh_tokens')
      .values({ token_hash: sha256Hex(next), session_id: row.sid, issued_at: now, expires_at: Math.min(now + ctx.auth.refreshTtlMs, row.session_expires_at), used_at: null })
      .execute();
    await trx.updateTable('auth_sessions').set({ last_seen_at: now }).where('id', '=', row.sid).execute();
    return { sid: row.sid };
  });
  if (outcome === 'invalid') throw authErrors.refreshInvalid();
  if (outcome === 'reused') throw authErrors.refreshReused();
  return { ...issueAccess(ctx, outcome.sid, now), refreshToken: next };
}

/** Ends a login: its access tokens, refresh tokens and cookie stop working at once. */
export async function logout(ctx: AuthContext, sessionId: string, operatorId: number): Promise<void> {
  await inTransaction(ctx.db, async (trx) => {
    await trx.updateTable('auth_sessions').set({ revoked_at: ctx.clock.now(), revoked_reason: 'logout' }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
    await appendAudit(trx, ctx.clock, { actor: operatorActor(operatorId), action: 'auth.logout', target: { type: 'operator', id: operatorId } });
  });
}

// Every operator request (panel, lists) resolves its login: compiled once, as the station hot paths.
const loginById = hotQuery(1, (db, sessionId: string) =>
  db
    .selectFrom('auth_sessions')
    .innerJoin('operators', 'operators.id', 'auth_sessions.operator_id')
    .select(['operators.id', 'operators.role', 'operators.active', 'operators.must_change_password', 'auth_sessions.revoked_at', 'auth_sessions.expires_at'])
    .where('auth_sessions.id', '=', sessionId),
);

/** Resolves a login id (from an access token or the panel cookie) to a principal. */
export async function principalForSession(ctx: AuthContext, sessionId: string, via: 'bearer' | 'cookie'): Promise<Principal | null> {
  const now = ctx.clock.now();
  const [row] = await reading(() => loginById(ctx.db, sessionId));
  if (!row || row.revoked_at !== null || row.expires_at <= now || row.active !== 1) return null;
  return { kind: 'operator', operatorId: row.id, role: row.role, sessionId, mustChangePassword: row.must_change_password === 1, via };
}

/**
 * The operator an access token stands for, or null. With a memo (the HTTP
 * routes pass one, made with ctx.auth.tokenKey), a token verified once is not
 * verified again; the login behind it is still read at every call.
 */
export async function principalForAccessToken(ctx: AuthContext, token: string, memo?: AccessTokenMemo): Promise<Principal | null> {
  const now = ctx.clock.now();
  const claims = memo !== undefined ? memo.verify(token, now) : verifyAccessToken(ctx.auth.tokenKey, token, now);
  return claims ? principalForSession(ctx, claims.sid, 'bearer') : null;
}

/**
 * Stores a new station credential inside the caller's transaction (so it
 * commits with the caller's audit event), revoking the previous one. The
 * token is returned once; only its sha256 is kept.
 */
export async function storeStationToken(trx: DbOrTx, stationId: number, now: number): Promise<{ token: string; revokedPrevious: number }> {
  const token = `st_${randomToken()}`;
  const revoked = await trx.updateTable('station_tokens').set({ revoked_at: now }).where('station_id', '=', stationId).where('revoked_at', 'is', null).executeTakeFirst();
  await trx.insertInto('station_tokens').values({ token_hash: sha256Hex(token), station_id: stationId, created_at: now, revoked_at: null }).execute();
  return { token, revokedPrevious: Number(revoked.numUpdatedRows) };
}

/** Issues a station's credential, revoking any previous one. Returns the token once. */
export async function issueStationToken(ctx: Pick<DomainContext, 'db' | 'clock'>, stationId: number): Promise<string> {
  const now = ctx.clock.now();
  const { token } = await inTransaction(ctx.db, (trx) => storeStationToken(trx, stationId, now));
  return token;
}

/**
 * The station a token belongs to, or null (unknown, revoked, or the station
 * was deleted). With a cache (the HTTP routes pass one), a confirmed token is
 * remembered until a station event drops it; see StationTokenCache.
 */
export async function principalForStationToken(ctx: Pick<DomainContext, 'db'>, token: string, cache?: StationTokenCache): Promise<Principal | null> {
  const cached = cache?.lookup(token);
  if (cached !== undefined) return { kind: 'station', stationId: cached };
  const generation = cache?.generation;
  const hash = sha256Hex(token);
  const row = await reading(() =>
    ctx.db
      .selectFrom('station_tokens')
      .innerJoin('stations', 'stations.id', 'station_tokens.station_id')
      .select(['station_tokens.station_id', 'station_tokens.revoked_at'])
      .where('station_tokens.token_hash', '=', hash)
      .where('stations.deleted_at', 'is', null)
      .executeTakeFirst(),
  );
  if (!row || row.revoked_at !== null) return null;
  cache?.remember(token, row.station_id, generation!);
  return { kind: 'station', stationId: row.station_id };
}
