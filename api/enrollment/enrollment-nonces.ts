import { randomToken, sha256Hex } from '../auth/tokens.ts';
import type { DbOrTx } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { normaliseMac } from '../stations/mac-address.ts';
import type { EnrollmentNonceRow } from './enrollment-nonces-table.ts';
import { nonceTtlInvalid } from './enrollment-errors.ts';

/** `en_` + 256 random bits, base64url: safe on a kernel command line and in an iPXE script. */
export const NONCE_PATTERN = /^en_[A-Za-z0-9_-]{43}$/;

/**
 * Expired rows are kept this long after expiry so that a late presentation is
 * audited as "expired" rather than "unknown"; then they are purged.
 */
export const EXPIRED_NONCE_GRACE_MS = 24 * 3600_000;

export interface NonceRequest {
  stationId: number;
  /** Any common notation; the nonce is bound to its normalised form. */
  mac: string;
  /** Address that fetched the boot script, if known. */
  ip: string | null;
  /** Lifetime (config netboot.enrollNonceTtlSeconds). */
  ttlMs: number;
}

export interface IssuedNonce {
  /** Shown once (in the boot script), stored only as its SHA-256. */
  nonce: string;
  expiresAt: number;
}

/**
 * Issues a one-time enrollment nonce for a station that is booting. Earlier
 * unused nonces of the station stay valid until they expire or until one of
 * them is traded (a script fetched twice must not strand the boot that used
 * the first one); expired rows past the grace period are purged here.
 */
export async function issueEnrollmentNonce(ctx: Pick<DomainContext, 'db' | 'clock'>, request: NonceRequest): Promise<IssuedNonce> {
  if (!Number.isSafeInteger(request.ttlMs) || request.ttlMs <= 0) throw nonceTtlInvalid(request.ttlMs);
  const mac = normaliseMac(request.mac);
  const nonce = `en_${randomToken()}`;
  const now = ctx.clock.now();
  const expiresAt = now + request.ttlMs;
  await inTransaction(ctx.db, async (trx) => {
    await trx.deleteFrom('enrollment_nonces').where('expires_at', '<', now - EXPIRED_NONCE_GRACE_MS).execute();
    await trx
      .insertInto('enrollment_nonces')
      .values({ nonce_hash: sha256Hex(nonce), station_id: request.stationId, mac, issued_ip: request.ip, created_at: now, expires_at: expiresAt, used_at: null })
      .execute();
  });
  return { nonce, expiresAt };
}

export async function findNonce(db: DbOrTx, nonce: string): Promise<EnrollmentNonceRow | undefined> {
  return db.selectFrom('enrollment_nonces').selectAll().where('nonce_hash', '=', sha256Hex(nonce)).executeTakeFirst();
}

/** Marks a nonce used; false when another request used it first. */
export async function consumeNonce(db: DbOrTx, nonceHash: string, now: number): Promise<boolean> {
  const result = await db.updateTable('enrollment_nonces').set({ used_at: now }).where('nonce_hash', '=', nonceHash).where('used_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
